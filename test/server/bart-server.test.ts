// BART end to end: the native backend (bart family) and its byte-level BPE tokenizer behind the HTTP server,
// every reference output of test/fixtures/seq2seq/bart-tiny/expected.json (Hugging Face transformers 4.36)
// reproduced over a real socket: tokenization id-exact, greedy and beam text, batched equal to alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { LlmDeployServer } from '../../src/server/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { startNativeServer } from './support/native-server.js';

const dir = fileURLToPath(new URL('../fixtures/seq2seq/bart-tiny', import.meta.url));
const sequence = z.array(z.number().int());
const expected = z
  .object({
    tokenization: z.array(
      z.object({
        text: z.string(),
        input_ids: sequence,
        input_ids_no_special: sequence,
        decoded: z.string(),
        decoded_skip_special: z.string(),
      }),
    ),
    cases: z.array(
      z.object({
        text: z.string(),
        input_ids: sequence,
        greedy: z.object({ sequence, decoded_skip_special: z.string() }),
        beam: z.object({ sequence, decoded_skip_special: z.string() }),
      }),
    ),
  })
  .parse(JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')));
const { cases } = expected;

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('bart-tiny tokenizer (tokenizer.json) matches BartTokenizer', () => {
  it('encodes all 40 strings and the 6 inputs id-exact, with and without special tokens, and decodes them', async () => {
    const tokenizer = await loadTokenizer(dir);
    for (const item of expected.tokenization) {
      assert.deepEqual(tokenizer.encode(item.text), item.input_ids, JSON.stringify(item.text));
      assert.deepEqual(tokenizer.encode(item.text, { addSpecialTokens: false }), item.input_ids_no_special, JSON.stringify(item.text));
      assert.equal(tokenizer.decode(item.input_ids, { skipSpecialTokens: true }), item.decoded_skip_special, JSON.stringify(item.text));
    }
    for (const item of cases) assert.deepEqual(tokenizer.encode(item.text), item.input_ids, item.text.slice(0, 40));
  });
});

describe('bart-tiny through the HTTP server', () => {
  let server: LlmDeployServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startNativeServer(dir, { maxInputTokens: 512 }));
  });
  after(() => server.close());

  it('POST /infer: the six inputs in one request (a padded batch) give the Hugging Face greedy text', async () => {
    const response = await postJson(`${base}/infer`, { instances: cases.map((item) => item.text), parameters: { max_new_tokens: 20 } });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { predictions: cases.map((item) => item.greedy.decoded_skip_special) });
  });

  it('POST /infer one input per request: greedy and num_beams 4 give the Hugging Face text (forced <s> first, </s> at the limit)', async () => {
    for (const item of cases) {
      for (const [beams, reference] of [
        [1, item.greedy.decoded_skip_special],
        [4, item.beam.decoded_skip_special],
      ] as const) {
        const response = await postJson(`${base}/infer`, { instances: [item.text], parameters: { max_new_tokens: 20, num_beams: beams } });
        assert.deepEqual(response.body, { predictions: [reference] }, `${item.text.slice(0, 40)} beams ${beams}`);
      }
    }
  });

  it('POST /infer with num_beams 4: the six inputs in one request equal them one by one', async () => {
    const response = await postJson(`${base}/infer`, {
      instances: cases.map((item) => item.text),
      parameters: { max_new_tokens: 20, num_beams: 4 },
    });
    assert.deepEqual(response.body, { predictions: cases.map((item) => item.beam.decoded_skip_special) });
  });

  it('POST /v1/completions (temperature 0) gives the Hugging Face greedy text', async () => {
    for (const item of cases.slice(0, 2)) {
      const response = await postJson(`${base}/v1/completions`, { prompt: item.text, max_tokens: 20, temperature: 0 });
      const body = z.object({ choices: z.array(z.object({ text: z.string() })) }).parse(response.body);
      assert.equal(body.choices[0]?.text, item.greedy.decoded_skip_special, item.text);
    }
  });
});
