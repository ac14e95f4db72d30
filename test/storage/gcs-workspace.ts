// What the storage tests share: the loopback GCS, a client pointed at it, and a scratch folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGcsClient, type GcsClient } from '../../src/storage/index.js';
import { startFakeGcs, type FakeGcs } from './fake-gcs-server.js';

/** A started fake, its client and a scratch folder. */
export interface GcsWorkspace {
  readonly fake: FakeGcs;
  readonly client: GcsClient;
  readonly work: string;
}

/** Starts the fake and makes `<tmp>/<prefix>XXXXXX`; the client retries `maxRetries` times. */
export async function openGcsWorkspace(prefix: string, maxRetries = 1): Promise<GcsWorkspace> {
  const fake = await startFakeGcs();
  const client = createGcsClient({ apiEndpoint: fake.endpoint, projectId: 'test-project', maxRetries });
  return { fake, client, work: await mkdtemp(join(tmpdir(), prefix)) };
}

/** Stops the fake and removes the scratch folder. */
export async function closeGcsWorkspace(workspace: GcsWorkspace): Promise<void> {
  await workspace.fake.close();
  await rm(workspace.work, { recursive: true, force: true });
}
