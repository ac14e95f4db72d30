// `llm-deploy serve --model models/demo-llama` as users run it, answering the model card's curl
// example: predict_payload.json gives predict_result.json (PyTorch's decoded prompt + continuation).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServeChild } from './support/serve-child.js';

const DEMO_LLAMA_DIR = fileURLToPath(new URL('../../models/demo-llama', import.meta.url));

describe('llm-deploy serve --model models/demo-llama', () => {
  it('answers predict_payload.json with predict_result.json on /infer', async () => {
    const payload: unknown = JSON.parse(await readFile(`${DEMO_LLAMA_DIR}/predict_payload.json`, 'utf8'));
    const expected: unknown = JSON.parse(await readFile(`${DEMO_LLAMA_DIR}/predict_result.json`, 'utf8'));
    const serve = startServeChild(['--model', DEMO_LLAMA_DIR, '--host', '127.0.0.1', '--port', '0', '--threads', '1'], {});
    try {
      assert.equal(await serve.waitReady(300), 200, serve.output());
      const response = await fetch(`${await serve.url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      assert.equal(response.status, 200, serve.output());
      assert.deepEqual(await response.json(), expected);
    } finally {
      await serve.stop();
    }
  });
});
