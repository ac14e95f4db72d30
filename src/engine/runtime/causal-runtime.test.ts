import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CAUSAL_FIXTURES, openCausalFixture, readCausalExpected, type CausalCase } from './__fixtures__/causal-expected.js';
import type { CausalRuntime } from './types.js';

// README of the fixtures: 1e-4 on untied logits (|logit| <= 17), 5e-4 on tied ones (|logit| up to 60).
const TOLERANCE: Readonly<Record<string, number>> = { 'llama-tied-linear': 5e-4, 'gpt2-tiny': 5e-4 };

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let index = 1; index < length; index++) if ((values[offset + index] as number) > (values[offset + best] as number)) best = index;
  return best;
}

/** Greedy new tokens of every prompt, decoded together (rows at their own positions). */
async function greedyBatch(runtime: CausalRuntime, prompts: readonly (readonly number[])[], eos: number): Promise<number[][]> {
  const encoded = await runtime.encode(prompts);
  const state = runtime.startDecoding(encoded, { expectedTokens: 21 });
  const results: number[][] = prompts.map(() => []);
  const done = prompts.map(() => false);
  let tokens = prompts.map((prompt) => prompt[prompt.length - 1] as number);
  for (let step = 0; step < 20 && done.some((flag) => !flag); step++) {
    const logits = await runtime.step(state, tokens);
    tokens = tokens.map((token, row) => {
      if (done[row]) return token;
      const next = argmax(logits, row * runtime.vocabSize, runtime.vocabSize);
      results[row]?.push(next);
      if (next === eos) done[row] = true;
      return next;
    });
  }
  return results;
}

for (const model of CAUSAL_FIXTURES) {
  describe(`decoder-only runtime on ${model} (transformers 4.36 parity)`, () => {
    let runtime: CausalRuntime;
    let cases: readonly CausalCase[];
    let eos: number;
    before(async () => {
      runtime = await openCausalFixture(model);
      const expected = await readCausalExpected(model);
      cases = expected.cases;
      eos = expected.generation_settings.eos_token_id;
    });
    after(() => runtime.close());

    it('the first three decode steps give the reference logits', async () => {
      const reference = cases[0]?.first3_decode_step_logits;
      const prompt = cases[0]?.input_ids ?? [];
      assert.ok(reference !== undefined);
      const state = runtime.startDecoding(await runtime.encode([prompt]));
      const fed = reference.input_ids.slice(prompt.length - 1);
      for (const [step, expected] of reference.logits.entries()) {
        const logits = await runtime.step(state, [fed[step] as number]);
        let worst = 0;
        expected.forEach((value, index) => (worst = Math.max(worst, Math.abs((logits[index] as number) - value))));
        assert.ok(worst <= (TOLERANCE[model] ?? 1e-4), `step ${step}: largest logit difference ${worst}`);
      }
    });

    it('greedy decoding reproduces every case alone and all cases in one batch', async () => {
      for (const [index, expected] of cases.entries()) {
        assert.deepEqual((await greedyBatch(runtime, [expected.input_ids], eos))[0], expected.greedy.new_tokens, `case ${index} alone`);
      }
      const batched = await greedyBatch(
        runtime,
        cases.map((expected) => expected.input_ids),
        eos,
      );
      assert.deepEqual(
        batched,
        cases.map((expected) => expected.greedy.new_tokens),
      );
    });
  });
}

describe('decoder-only runtime loaded through files with external data (large checkpoints)', () => {
  it('gives the reference logits of the first decode step', async () => {
    // Threshold 0: every graph goes to onnxruntime as a file beside its external weights.
    const runtime = await openCausalFixture('llama-gqa', { externalDataThresholdBytes: 0 });
    try {
      const expected = (await readCausalExpected('llama-gqa')).cases[0];
      assert.ok(expected !== undefined);
      const reference = expected.first3_decode_step_logits;
      assert.ok(reference !== undefined);
      const state = runtime.startDecoding(await runtime.encode([expected.input_ids]));
      const logits = await runtime.step(state, [reference.input_ids[expected.input_ids.length - 1] as number]);
      let worst = 0;
      reference.logits[0]?.forEach((value, index) => (worst = Math.max(worst, Math.abs((logits[index] as number) - value))));
      assert.ok(worst <= 1e-4, `largest logit difference ${worst}`);
    } finally {
      await runtime.close();
    }
  });
});
