import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadPrefix, type GcsClient } from '../../src/storage/index.js';
import type { FakeGcs } from './fake-gcs-server.js';
import { closeGcsWorkspace, openGcsWorkspace } from './gcs-workspace.js';

const exists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('gs:// downloads of a training pipeline Model artifact', () => {
  let fake: FakeGcs;
  let client: GcsClient;
  let work: string;
  before(async () => ({ fake, client, work } = await openGcsWorkspace('llm-deploy-ckpt-')));
  after(() => closeGcsWorkspace({ fake, client, work }));

  it('skips *_checkpoints/checkpoint-N/ folders and says so', async () => {
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json', 'spiece.model'])
      fake.put('bucket-c', `m/${name}`, Buffer.from(name));
    fake.put('bucket-c', 'm/t5_checkpoints/checkpoint-500/optimizer.pt', Buffer.alloc(4096, 1));
    fake.put('bucket-c', 'm/t5_checkpoints/checkpoint-500/model.safetensors', Buffer.alloc(1024, 2));
    fake.put('bucket-c', 'm/checkpoint-1000/optimizer.pt', Buffer.alloc(2048, 3));
    const notices: string[] = [];
    const local = await downloadPrefix('bucket-c', 'm', { client, cacheDir: work, onNotice: (line) => notices.push(line) });
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json', 'spiece.model'])
      assert.ok(await exists(join(local, name)), name);
    assert.equal(await exists(join(local, 't5_checkpoints')), false);
    assert.equal(await exists(join(local, 'checkpoint-1000')), false);
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? '', /skipped 3 files .*checkpoint-1000\/, t5_checkpoints\//);
  });

  it('still refuses an unsafe name inside a skipped folder', async () => {
    fake.put('bucket-u', 'm/config.json', Buffer.from('{}'));
    fake.put('bucket-u', 'm/x_checkpoints/../../../escape', Buffer.from('bad'));
    await assert.rejects(downloadPrefix('bucket-u', 'm', { client, cacheDir: work }), { code: 'STORAGE_OBJECT_NAME_UNSAFE' });
  });
});
