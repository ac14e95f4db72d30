// `llm-deploy serve --model gs://...` as a user runs it against a Cloud Storage emulator: the
// STORAGE_EMULATOR_HOST form without a scheme (what the Go client documents) must work as well.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeGcs } from '../storage/fake-gcs-server.js';
import { startServeChild } from './support/serve-child.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 't5-tiny-relu');

describe('llm-deploy serve --model gs:// (child process, loopback GCS)', () => {
  it('downloads through STORAGE_EMULATOR_HOST=host:port and becomes ready', async () => {
    const fake = await startFakeGcs();
    const cache = await mkdtemp(join(tmpdir(), 'llm-deploy-serve-gcs-'));
    for (const name of await readdir(FIXTURE)) {
      if (name !== 'pytorch_model.bin' && name !== 'expected.json') fake.put('models', `t5/${name}`, await readFile(join(FIXTURE, name)));
    }
    const host = fake.endpoint.replace(/^http:\/\//, '');
    const serve = startServeChild(['--model', 'gs://models/t5', '--host', '127.0.0.1', '--port', '0', '--threads', '1'], {
      STORAGE_EMULATOR_HOST: host,
      LLM_DEPLOY_CACHE: cache,
    });
    try {
      assert.equal(await serve.waitReady(300), 200, serve.output());
      assert.ok(fake.seen.some((request) => request.objectName === 't5/model.safetensors'));
    } finally {
      await serve.stop();
      await fake.close();
      await rm(cache, { recursive: true, force: true });
    }
  });
});
