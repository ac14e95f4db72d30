// Marian end to end: the native backend (marian family) and MarianTokenizer behind the HTTP server, the reference
// outputs of test/fixtures/seq2seq/marian-tiny/expected.json (Hugging Face transformers 4.36) over a real socket:
// greedy and beam text (<pad> banned, </s> forced at the limit), the padded batch equal to the inputs alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { LlmDeployServer } from '../../src/server/index.js';
import { fasterTransformerIds, withoutStartAndPadding } from './support/fastertransformer-ids.js';
import { startNativeServer } from './support/native-server.js';

const dir = fileURLToPath(new URL('../fixtures/seq2seq/marian-tiny', import.meta.url));
const sequence = z.array(z.number().int());
const expected = z
  .object({
    cases: z.array(
      z.object({
        text: z.string(),
        input_ids: sequence,
        greedy: z.object({ sequence, decoded_skip_special: z.string() }),
        beam: z.object({ sequence, decoded_skip_special: z.string() }),
      }),
    ),
    batched: z.object({ greedy_equals_one_by_one: z.boolean(), beam_equals_one_by_one: z.boolean() }).loose(),
  })
  .parse(JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')));
const { cases } = expected;

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('marian-tiny through the HTTP server', () => {
  let server: LlmDeployServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startNativeServer(dir, { maxInputTokens: 512 }));
  });
  after(() => server.close());

  it('POST /infer one input per request: greedy and num_beams 4 give the Hugging Face text', async () => {
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

  it('POST /infer: the six inputs in one request (a padded batch) equal them one by one, greedy and beam', async () => {
    assert.ok(expected.batched.greedy_equals_one_by_one && expected.batched.beam_equals_one_by_one);
    for (const [beams, key] of [
      [1, 'greedy'],
      [4, 'beam'],
    ] as const) {
      const response = await postJson(`${base}/infer`, {
        instances: cases.map((item) => item.text),
        parameters: { max_new_tokens: 20, num_beams: beams },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { predictions: cases.map((item) => item[key].decoded_skip_special) }, `beams ${beams}`);
    }
  });

  it('POST /generate (TGI) gives the Hugging Face greedy text', async () => {
    for (const item of cases.slice(0, 3)) {
      const response = await postJson(`${base}/generate`, { inputs: item.text, parameters: { max_new_tokens: 20 } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { generated_text: item.greedy.decoded_skip_special }, item.text.slice(0, 40));
    }
  });

  it('POST /v1/completions (temperature 0) gives the Hugging Face greedy text', async () => {
    for (const item of cases.slice(0, 3)) {
      const response = await postJson(`${base}/v1/completions`, { prompt: item.text, max_tokens: 20, temperature: 0 });
      const body = z.object({ choices: z.array(z.object({ text: z.string() })) }).parse(response.body);
      assert.equal(body.choices[0]?.text, item.greedy.decoded_skip_special, item.text.slice(0, 40));
    }
  });

  it('POST /v2/models/fastertransformer/infer (the tensor contract, as for BART): greedy and beam ids, alone and batched, equal the reference', async () => {
    for (const [beamWidth, key] of [
      [1, 'greedy'],
      [4, 'beam'],
    ] as const) {
      const references = cases.map((item) => withoutStartAndPadding(item[key].sequence, 0));
      for (const [index, item] of cases.entries()) {
        assert.deepEqual(
          await fasterTransformerIds(base, [item.input_ids], { beamWidth, padTokenId: 1646 }),
          [references[index]],
          `case ${index} beam_width ${beamWidth}`,
        );
      }
      assert.deepEqual(
        await fasterTransformerIds(
          base,
          cases.map((item) => item.input_ids),
          { beamWidth, padTokenId: 1646 },
        ),
        references,
        `batched beam_width ${beamWidth}`,
      );
    }
  });
});
