import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cosine } from './__fixtures__/similarity.js';
import { CAUSAL_FIXTURES, openCausalFixture, readCausalExpected } from './__fixtures__/causal-expected.js';

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) if ((values[index] as number) > (values[best] as number)) best = index;
  return best;
}

// As for T5 (int8.test.ts): int8 is held to closeness with the fp32 reference, not identity. Seen on these
// fixtures with MatMulNBits (8-bit blocks of 128): cosine >= 0.9991 and logit errors up to 2.4 (tied heads,
// |logit| up to 60); a wrong weight layout gives a cosine near 0. The greedy token must agree where the
// reference's top-1/top-2 margin is large enough for that error.
const FLOOR = 0.998;
const SAFE_MARGIN = 5;

function margin(values: readonly number[]): number {
  const [best = 0, second = 0] = [...values].sort((a, b) => b - a);
  return best - second;
}

describe('int8 weights on the decoder-only fixtures (MatMulNBits)', () => {
  for (const model of CAUSAL_FIXTURES) {
    it(`${model}: the first decode steps stay close to the transformers fp32 logits and pick the same token where the margin allows`, async () => {
      const runtime = await openCausalFixture(model, { quantize: 'int8' });
      try {
        assert.equal(runtime.quantize, 'int8');
        const first = (await readCausalExpected(model)).cases[0];
        const reference = first?.first3_decode_step_logits;
        assert.ok(first !== undefined && reference !== undefined);
        const state = runtime.startDecoding(await runtime.encode([first.input_ids]));
        const fed = reference.input_ids.slice(first.input_ids.length - 1);
        for (const [step, expected] of reference.logits.entries()) {
          const logits = await runtime.step(state, [fed[step] as number]);
          const similarity = cosine(logits, expected);
          assert.ok(similarity > FLOOR, `step ${step}: cosine similarity ${similarity}`);
          if (margin(expected) >= SAFE_MARGIN) assert.equal(argmax(logits), argmax(expected), `step ${step}: greedy token`);
        }
      } finally {
        await runtime.close();
      }
    });
  }
});
