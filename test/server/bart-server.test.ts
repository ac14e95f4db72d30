// BART end to end: the native backend (bart family) and its byte-level BPE tokenizer behind the HTTP server,
// every reference output of test/fixtures/seq2seq/bart-tiny/expected.json (Hugging Face transformers 4.36)
// reproduced over a real socket: tokenization id-exact, greedy and beam text, batched equal to alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { itServesSeq2SeqRoutes, postJson, seq2seqCaseSchema, serveDuringSuite } from './support/seq2seq-routes.js';

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
    cases: z.array(seq2seqCaseSchema),
  })
  .parse(JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')));
const { cases } = expected;

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
  const base = serveDuringSuite(() => dir, { maxInputTokens: 512 });
  itServesSeq2SeqRoutes(base, cases);

  it("POST /v2/models/fastertransformer/infer: a 400 naming the bart family, which FasterTransformer's T5 contract does not cover", async () => {
    const ids = cases[0]?.input_ids ?? [];
    const inputs = [
      { name: 'input_ids', datatype: 'UINT32', shape: [1, ids.length], data: ids },
      { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [ids.length] },
      { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [20] },
    ];
    const response = await postJson(`${base()}/v2/models/fastertransformer/infer`, { inputs });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    const { error } = z.object({ error: z.string() }).parse(response.body);
    assert.match(error, /FasterTransformer's T5 tensor contract does not cover this model family/);
    assert.match(error, /bart model/);
    assert.match(error, /POST \/infer/);
  });
});
