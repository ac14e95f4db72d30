import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { COMPLETION_MARKER, PRODUCER_MANIFEST, publishDirectory, resolveModelSource, type GcsClient } from '../../src/storage/index.js';
import type { FakeGcs } from './fake-gcs-server.js';
import { closeGcsWorkspace, openGcsWorkspace } from './gcs-workspace.js';

const fast = { attempts: 3, initialDelayMs: 20 };

describe('storage against a loopback GCS JSON API', () => {
  let fake: FakeGcs;
  let client: GcsClient;
  let work: string;
  before(async () => ({ fake, client, work } = await openGcsWorkspace('llm-deploy-gcs-', 2)));
  after(() => closeGcsWorkspace({ fake, client, work }));

  async function makeTree(name: string, bigBytes: number): Promise<{ dir: string; files: Map<string, Buffer> }> {
    const dir = join(work, name);
    const files = new Map<string, Buffer>([
      ['config.json', Buffer.from('{"model_type":"t5"}')],
      [PRODUCER_MANIFEST, Buffer.from('{"format":"test"}')],
      ['sub/weights.bin', randomBytes(bigBytes)],
      ['sub/small.bin', randomBytes(1000)],
      [COMPLETION_MARKER, Buffer.from('{}')],
    ]);
    for (const [relative, data] of files) {
      await mkdir(join(dir, relative, '..'), { recursive: true });
      await writeFile(join(dir, relative), data);
    }
    return { dir, files };
  }

  it('uploads a tree (multipart and resumable) with the marker last, then downloads it back', async () => {
    const { dir, files } = await makeTree('tree-a', 3 * 1024 * 1024 + 7);
    fake.seen.length = 0;
    await publishDirectory(dir, 'gs://bucket-a/models/t5', { client, resumableThresholdBytes: 1024 * 1024, retry: fast });
    for (const [relative, data] of files) {
      assert.ok(fake.get('bucket-a', `models/t5/${relative}`)?.equals(data), relative);
    }
    const writes = fake.seen.filter((request) => request.method !== 'GET' && request.objectName !== undefined);
    assert.equal(writes.at(-1)?.objectName, `models/t5/${COMPLETION_MARKER}`);
    assert.ok(
      fake.seen.some((request) => request.path.startsWith('/upload') && request.method === 'PUT'),
      'a resumable session was used',
    );

    const cacheDir = join(work, 'cache-a');
    const local = await resolveModelSource('gs://bucket-a/models/t5', { cacheDir, client });
    for (const [relative, data] of files) assert.ok((await readFile(join(local, relative))).equals(data), relative);
    const downloadsBefore = fake.seen.filter((request) => request.method === 'GET' && request.objectName !== undefined).length;
    assert.equal(await resolveModelSource('gs://bucket-a/models/t5', { cacheDir, client }), local);
    const downloadsAfter = fake.seen.filter((request) => request.method === 'GET' && request.objectName !== undefined).length;
    assert.equal(downloadsAfter, downloadsBefore, 'a complete, current cache is reused without downloading');
  });

  it("resumes an upload whose connection drops midway at the server's offset, then sends the marker", async () => {
    const { dir, files } = await makeTree('tree-b', 2 * 1024 * 1024);
    fake.interruptUploads.set('models/b/sub/weights.bin', 300 * 1024);
    await publishDirectory(dir, 'gs://bucket-b/models/b', {
      client,
      resumableThresholdBytes: 1024 * 1024,
      chunkBytes: 512 * 1024,
      retry: { attempts: 1, initialDelayMs: 1 },
    });
    assert.equal(fake.interruptUploads.size, 0, 'the interruption happened');
    // One session: the client asked the server for its offset and went on from there.
    const requests = fake.seen.filter((request) => request.objectName === 'models/b/sub/weights.bin');
    assert.equal(requests.filter((request) => request.method === 'POST').length, 1);
    assert.ok(
      requests.some((request) => request.contentRange === 'bytes */*'),
      'status query',
    );
    assert.ok(
      requests.some((request) => request.contentRange?.startsWith(`bytes ${300 * 1024}-`)),
      'resumed at the offset',
    );
    assert.ok(fake.get('bucket-b', 'models/b/sub/weights.bin')?.equals(files.get('sub/weights.bin') ?? Buffer.alloc(0)));
    assert.ok(fake.get('bucket-b', `models/b/${COMPLETION_MARKER}`) !== undefined);
  });

  it('leaves no marker when an upload keeps failing', async () => {
    const { dir } = await makeTree('tree-c', 2000);
    fake.failUploads.add('models/c/sub/small.bin');
    await assert.rejects(
      publishDirectory(dir, 'gs://bucket-c/models/c', { client, retry: { attempts: 2, initialDelayMs: 10 } }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_UPLOAD_FAILED',
    );
    assert.equal(fake.get('bucket-c', `models/c/${COMPLETION_MARKER}`), undefined);
    await assert.rejects(
      resolveModelSource('gs://bucket-c/models/c', { cacheDir: join(work, 'cache-c'), client }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_INCOMPLETE',
    );
  });

  it('rejects a corrupted download and leaves nothing that looks cached', async () => {
    fake.put('bucket-d', 'm/config.json', Buffer.from('{}'));
    fake.put('bucket-d', 'm/model.safetensors', randomBytes(50_000));
    fake.corruptDownloads.add('m/model.safetensors');
    const cacheDir = join(work, 'cache-d');
    await assert.rejects(
      resolveModelSource('gs://bucket-d/m', { cacheDir, client }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_CHECKSUM_MISMATCH',
    );
    const leftovers = await readdir(join(cacheDir, 'gcs', 'bucket-d')).catch(() => []);
    assert.deepEqual(leftovers, []);
  });

  it('refuses to publish over objects without force, and replaces them with it', async () => {
    const { dir } = await makeTree('tree-e', 100);
    fake.put('bucket-e', 'x/stale.bin', Buffer.from('old'));
    await assert.rejects(
      publishDirectory(dir, 'gs://bucket-e/x', { client }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_LOCATION_INVALID',
    );
    await publishDirectory(dir, 'gs://bucket-e/x', { client, force: true });
    assert.equal(fake.get('bucket-e', 'x/stale.bin'), undefined);
  });

  it('the fake refuses the object names real GCS refuses and accepts the rest, as documented', async () => {
    const source = join(work, 'one-byte.bin');
    await writeFile(source, 'x');
    const refused = ['.', '..', 'a\nb', 'a\rb', '.well-known/acme-challenge/token', 'n'.repeat(1025)];
    for (const name of refused) {
      await assert.rejects(
        client.upload({ bucket: 'bucket-n', name }, source, { resumable: false }),
        (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_UPLOAD_FAILED',
        JSON.stringify(name),
      );
      assert.equal(fake.get('bucket-n', name), undefined);
      assert.throws(() => fake.put('bucket-n', name, Buffer.from('x')));
    }
    const accepted = ['m/../../x', 'a//b', 'a\\b', 'nul\0name', `${'é'.repeat(512)}`];
    for (const name of accepted) {
      await client.upload({ bucket: 'bucket-n', name }, source, { resumable: name.length % 2 === 0 });
      assert.equal(fake.get('bucket-n', name)?.toString(), 'x', JSON.stringify(name));
    }
  });

  it('reports a missing prefix clearly', async () => {
    await assert.rejects(
      resolveModelSource('gs://bucket-z/none', { cacheDir: join(work, 'cache-z'), client }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'STORAGE_NOT_FOUND',
    );
  });
});
