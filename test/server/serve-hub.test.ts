// `llm-deploy serve --model hf://org/name` as a user runs it, against the loopback Hub (HF_ENDPOINT): the fixture
// checkpoint is downloaded (safetensors only, the .bin copy skipped) and answers as Hugging Face's reference does.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeHub } from '../storage/fake-hub-server.js';
import { startServeChild } from './support/serve-child.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 't5-tiny-relu');

describe('llm-deploy serve --model hf:// (child process, loopback Hub)', () => {
  it('downloads through HF_ENDPOINT with HF_TOKEN, becomes ready and answers with the reference output', async () => {
    const fake = await startFakeHub();
    const cache = await mkdtemp(join(tmpdir(), 'llm-deploy-serve-hub-'));
    const files: Record<string, { data: Buffer; lfs: boolean }> = {};
    for (const name of await readdir(FIXTURE)) {
      if (name !== 'expected.json')
        files[name] = { data: await readFile(join(FIXTURE, name)), lfs: /\.(safetensors|bin|model)$/.test(name) };
    }
    fake.addRepo('acme/t5-tiny-relu', files, { private: true, tokens: ['hf_acme'] });
    const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as {
      cases: { text: string; greedy: { decoded_skip_special: string } }[];
    };
    const serve = startServeChild(['--model', 'hf://acme/t5-tiny-relu', '--host', '127.0.0.1', '--port', '0', '--threads', '1'], {
      HF_ENDPOINT: fake.endpoint,
      HF_TOKEN: 'hf_acme',
      LLM_DEPLOY_CACHE: cache,
    });
    try {
      assert.equal(await serve.waitReady(300), 200, serve.output());
      assert.ok(!fake.seen.some((request) => request.path.endsWith('/pytorch_model.bin')), 'the .bin copy is not downloaded');
      assert.match(serve.output(), /skipped 1 files .*pytorch_model\.bin/);
      const first = expected.cases[0];
      assert.ok(first !== undefined);
      const response = await fetch(`${await serve.url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [first.text], parameters: { max_new_tokens: 20 } }),
      });
      assert.deepEqual(await response.json(), { predictions: [first.greedy.decoded_skip_special] });
    } finally {
      await serve.stop();
      await fake.close();
      await rm(cache, { recursive: true, force: true });
    }
  });
});
