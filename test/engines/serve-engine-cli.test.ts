// `llm-deploy serve --backend vllm|tensorrt-llm --backend-url URL --model DIR` as users run it: the model
// directory holds no weights (the engine has them), the server still serves, reports not-ready while the engine
// is down, and answers the reference text once it is up. vLLM serves decoder-only models only: with the T5 demo
// model `serve --backend vllm` exits 2 naming what it supports.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServeChild } from '../server/support/serve-child.js';
import { readTorchGreedyFixture } from '../demo-model/torch-fixture.js';
import { FakeOpenAiEngine } from './fake-openai-engine.js';

const DEMO = new URL('../../models/demo-t5', import.meta.url).pathname;
const reference = await readTorchGreedyFixture();
const item = reference.items[0]!;

const kind = 'tensorrt-llm';
describe(`llm-deploy serve --backend ${kind} (child process, no weights in the model directory)`, () => {
  let dir = '';
  const engine = new FakeOpenAiEngine({
    kind,
    servedModel: 'demo',
    maxModelLen: 256,
    replies: new Map([[item.input_ids.join(','), item.output_ids]]),
    eosTokenId: 1,
  });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engine-front-'));
    // everything but the weights: the native engine could not load this directory
    for (const name of readdirSync(DEMO).filter((file) => !file.endsWith('.safetensors'))) copyFileSync(join(DEMO, name), join(dir, name));
    await engine.start();
    await engine.stop(); // the port is known; the engine comes up later
  });
  after(async () => {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready while the engine is down, then serves /infer from the engine', async () => {
    const serve = startServeChild(
      ['--model', dir, '--backend', kind, '--backend-url', engine.url, '--host', '127.0.0.1', '--port', '0'],
      {},
    );
    try {
      assert.equal(await serve.waitReady(10), 503, serve.output());
      const notReady = await fetch(`${await serve.url}/health/ready`);
      assert.match(await notReady.text(), /TensorRT-LLM not ready/);
      await engine.start();
      assert.equal(await serve.waitReady(100), 200, serve.output());
      const response = await fetch(`${await serve.url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [item.input] }),
      });
      assert.equal(response.status, 200, serve.output());
      assert.deepEqual(await response.json(), { predictions: [item.output_text] });
    } finally {
      await serve.stop();
    }
  });
});

describe('llm-deploy serve --backend vllm with an encoder-decoder model', () => {
  it('exits 2 naming the backend and what it serves', async () => {
    const serve = startServeChild(
      ['--model', DEMO, '--backend', 'vllm', '--backend-url', 'http://127.0.0.1:9', '--host', '127.0.0.1', '--port', '0'],
      {},
    );
    serve.url.catch(() => undefined);
    const [code] = (await once(serve.child, 'exit')) as [number | null];
    assert.equal(code, 2, serve.output());
    assert.match(serve.output(), /the vllm backend cannot serve this model.*decoder-only/s);
  });
});
