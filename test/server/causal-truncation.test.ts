// inputTruncation 'truncate' on decoder-only tokenizers: Hugging Face truncation cuts the text's own
// tokens and keeps the special tokens its post-processor adds (Llama's leading <s>, nothing for GPT-2),
// so the kept ids are a prefix of the reference input_ids; T5's appended </s> is no rule for them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createServer } from '../../src/server/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { TestBackend } from './support/test-backend.js';

const LIMIT = 8;

describe('input truncation for decoder-only tokenizers', () => {
  for (const name of ['llama-gqa', 'gpt2-tiny']) {
    it(`${name}: the engine gets the first ${LIMIT} reference ids of a long prompt`, async () => {
      const modelDir = fileURLToPath(new URL(`../fixtures/causal/${name}`, import.meta.url));
      const { cases } = JSON.parse(readFileSync(`${modelDir}/expected.json`, 'utf8')) as { cases: { text: string; input_ids: number[] }[] };
      const long = cases.reduce((a, b) => (b.input_ids.length > a.input_ids.length ? b : a));
      const backend = new TestBackend({ architecture: 'decoder-only', newTokenIds: [], tokenDelayMs: -1 });
      const server = createServer({
        host: '127.0.0.1',
        port: 0,
        backend,
        tokenizer: loadTokenizer(modelDir),
        maxInputTokens: LIMIT,
        inputTruncation: 'truncate',
        logger: false,
      });
      await server.modelLoaded;
      try {
        const response = await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: [long.text] } });
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(backend.requests[0]?.inputIds, long.input_ids.slice(0, LIMIT));
      } finally {
        await server.close();
      }
    });
  }
});
