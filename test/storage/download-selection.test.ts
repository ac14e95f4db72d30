// A download of a named subset of a prefix (the Triton-backed server's side files): only those objects are fetched,
// their cache is apart from a full download's, and the completion-marker rule still reads the whole listing.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { COMPLETION_MARKER, PRODUCER_MANIFEST, resolveModelSource, type GcsClient } from '../../src/storage/index.js';
import type { FakeGcs } from './fake-gcs-server.js';
import { closeGcsWorkspace, openGcsWorkspace } from './gcs-workspace.js';

const CONFIGS = { label: 'configs', keep: (name: string) => name.endsWith('.json') || name === COMPLETION_MARKER };

describe('downloading a selection of a gs:// prefix', () => {
  let fake: FakeGcs;
  let client: GcsClient;
  let cacheDir = '';
  before(async () => ({ fake, client, work: cacheDir } = await openGcsWorkspace('llm-deploy-selection-')));
  after(() => closeGcsWorkspace({ fake, client, work: cacheDir }));

  it('fetches only the kept objects, and a full download of the same prefix is a different cache folder', async () => {
    fake.put('bkt', 'done/sub/config.json', Buffer.from('{}'));
    fake.put('bkt', 'done/sub/weights.bin', Buffer.alloc(1024));
    fake.put('bkt', `done/${PRODUCER_MANIFEST}`, Buffer.from('{}'));
    fake.put('bkt', `done/${COMPLETION_MARKER}`, Buffer.from('{}'));
    const selected = await resolveModelSource('gs://bkt/done', { cacheDir, client, only: CONFIGS });
    assert.deepEqual((await readdir(join(selected, 'sub'))).sort(), ['config.json']);
    assert.ok(!fake.seen.some((request) => request.objectName === 'done/sub/weights.bin'));
    const full = await resolveModelSource('gs://bkt/done', { cacheDir, client });
    assert.notEqual(full, selected);
    assert.deepEqual((await readdir(join(full, 'sub'))).sort(), ['config.json', 'weights.bin']);
    // the selection's cache is still current after the full download
    const before = fake.seen.length;
    assert.equal(await resolveModelSource('gs://bkt/done', { cacheDir, client, only: CONFIGS }), selected);
    assert.ok(!fake.seen.slice(before).some((request) => request.method === 'GET' && request.path.includes('/o/done%2F')));
  });

  it('refuses an unfinished upload even when the selection would leave the marker out', async () => {
    fake.put('bkt', `half/${PRODUCER_MANIFEST}`, Buffer.from('{}'));
    fake.put('bkt', 'half/config.json', Buffer.from('{}'));
    await assert.rejects(
      resolveModelSource('gs://bkt/half', { cacheDir, client, only: { label: 'none', keep: () => false } }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_INCOMPLETE',
    );
  });
});
