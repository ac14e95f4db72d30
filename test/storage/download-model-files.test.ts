// gs:// downloads of a Hugging Face checkpoint fetch only what loading reads: the weights the loader picks (and, for
// a sharded index, only the shards its weight_map names), never the other formats a Hub export holds beside them.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { CACHE_RECORD, downloadPrefix, type GcsClient } from '../../src/storage/index.js';
import type { FakeGcs } from './fake-gcs-server.js';
import { closeGcsWorkspace, openGcsWorkspace } from './gcs-workspace.js';

const INDEX = JSON.stringify({
  metadata: { total_size: 16 },
  weight_map: { 'shared.weight': 'model-00001-of-00002.safetensors', 'lm_head.weight': 'model-00002-of-00002.safetensors' },
});

describe('gs:// downloads of a Hugging Face checkpoint', () => {
  let fake: FakeGcs;
  let client: GcsClient;
  let work: string;
  before(async () => ({ fake, client, work } = await openGcsWorkspace('llm-deploy-model-files-')));
  after(() => closeGcsWorkspace({ fake, client, work }));

  const downloaded = (bucket: string): string[] =>
    fake.seen
      .filter((request) => request.method === 'GET' && request.objectName !== undefined && request.path.includes(`/b/${bucket}/`))
      .map((request) => request.objectName ?? '');

  it('fetches only the shards model.safetensors.index.json names, and reports the leftover one', async () => {
    fake.put('shards', 'm/config.json', Buffer.from('{}'));
    fake.put('shards', 'm/model.safetensors.index.json', Buffer.from(INDEX));
    fake.put('shards', 'm/model-00001-of-00002.safetensors', Buffer.alloc(8, 1));
    fake.put('shards', 'm/model-00002-of-00002.safetensors', Buffer.alloc(8, 2));
    fake.put('shards', 'm/model-00001-of-00003.safetensors', Buffer.alloc(4096, 3));
    const notices: string[] = [];
    const local = await downloadPrefix('shards', 'm', { client, cacheDir: work, onNotice: (line) => notices.push(line) });
    assert.deepEqual((await readdir(local)).sort(), [
      CACHE_RECORD,
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
    assert.ok(!downloaded('shards').includes('m/model-00001-of-00003.safetensors'));
    assert.deepEqual(notices, [
      'gs://shards/m: skipped 1 shard files (4096 bytes) that model.safetensors.index.json does not name: model-00001-of-00003.safetensors',
    ]);
    // a second run is served from the cache: nothing downloads
    const before = fake.seen.length;
    assert.equal(await downloadPrefix('shards', 'm', { client, cacheDir: work }), local);
    assert.ok(
      !fake.seen
        .slice(before)
        .some((request) => request.objectName !== undefined && request.method === 'GET' && request.path.includes('alt=media')),
    );
  });

  it('skips the weight formats the loader does not read (TensorFlow, Flax, ONNX folders, a second copy as .bin)', async () => {
    for (const name of ['config.json', 'generation_config.json', 'model.safetensors', 'spiece.model', 'tokenizer.json'])
      fake.put('formats', `m/${name}`, Buffer.from(name));
    for (const name of ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack', 'onnx/encoder_model.onnx', 'onnx/config.json'])
      fake.put('formats', `m/${name}`, Buffer.alloc(100, 7));
    const notices: string[] = [];
    const local = await downloadPrefix('formats', 'm', { client, cacheDir: work, onNotice: (line) => notices.push(line) });
    assert.deepEqual((await readdir(local)).filter((name) => name !== CACHE_RECORD).sort(), [
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'spiece.model',
      'tokenizer.json',
    ]);
    assert.deepEqual(notices, [
      'gs://formats/m: skipped 5 files (500 bytes) in weight formats loading does not read (it reads model.safetensors): ' +
        'flax_model.msgpack, onnx/, pytorch_model.bin, tf_model.h5',
    ]);
  });

  it('refuses an index that names a shard the prefix lacks, before downloading shards', async () => {
    fake.put('gap', 'm/config.json', Buffer.from('{}'));
    fake.put('gap', 'm/model.safetensors.index.json', Buffer.from(INDEX));
    fake.put('gap', 'm/model-00001-of-00002.safetensors', Buffer.alloc(8, 1));
    await assert.rejects(downloadPrefix('gap', 'm', { client, cacheDir: work }), (error: unknown) => {
      assert.ok(error instanceof Error && 'code' in error && error.code === 'STORAGE_INCOMPLETE');
      assert.ok('given' in error && error.given === 'model-00002-of-00002.safetensors');
      return true;
    });
    assert.ok(!downloaded('gap').includes('m/model-00001-of-00002.safetensors'));
  });
});
