// Marian end to end: the native backend (marian family) and MarianTokenizer behind the HTTP server, every reference
// output of test/fixtures/seq2seq/marian-tiny/expected.json (Hugging Face transformers 4.36) over a real socket:
// greedy and beam text (<pad> banned by bad_words_ids, </s> forced at the limit), the padded batch equal to alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  itRefusesFasterTransformerInfer,
  itServesSeq2SeqRoutes,
  postJson,
  seq2seqCaseSchema,
  serveDuringSuite,
} from './support/seq2seq-routes.js';

const dir = fileURLToPath(new URL('../fixtures/seq2seq/marian-tiny', import.meta.url));
const expected = z.object({ cases: z.array(seq2seqCaseSchema) }).parse(JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')));
const { cases } = expected;

describe('marian-tiny through the HTTP server', () => {
  const base = serveDuringSuite(() => dir, { maxInputTokens: 512 });
  itServesSeq2SeqRoutes(base, cases);
  itRefusesFasterTransformerInfer(base, cases, 'marian');

  it('POST /generate (TGI) gives the Hugging Face greedy text', async () => {
    for (const item of cases.slice(0, 3)) {
      const response = await postJson(`${base()}/generate`, { inputs: item.text, parameters: { max_new_tokens: 20 } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { generated_text: item.greedy.decoded_skip_special }, item.text.slice(0, 40));
    }
  });

  it('POST /generate with details: the generated ids are the Hugging Face greedy ids after the decoder start (<pad>, 1646)', async () => {
    const item = cases[0];
    assert.ok(item !== undefined);
    const response = await postJson(`${base()}/generate`, { inputs: item.text, parameters: { max_new_tokens: 20, details: true } });
    const body = z.object({ details: z.object({ tokens: z.array(z.object({ id: z.number().int() })) }) }).parse(response.body);
    assert.deepEqual(
      body.details.tokens.map((token) => token.id),
      item.greedy.sequence.slice(1),
    );
  });
});
