import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cosine } from './__fixtures__/similarity.js';
import { FIXTURE_MODELS, openFixtureRuntime, readExpected } from './__fixtures__/t5-expected.js';

// The fixtures are built to react to small errors, so int8 is held to closeness, not identity;
// `npm run bench` reports greedy agreement on t5-small/t5-base shapes.
// Floors seen on these fixtures: MatMulNBits (int8 blocks of 128) >= 0.97, DynamicQuantizeMatMul (per-tensor activations) >= 0.71;
// a wrong weight layout gives about 0.
const FLOORS = { MatMulNBits: 0.95, DynamicQuantizeMatMul: 0.6 } as const;

for (const operator of ['MatMulNBits', 'DynamicQuantizeMatMul'] as const) {
  describe(`int8 weights (${operator})`, () => {
    for (const model of FIXTURE_MODELS) {
      it(`${model}: decoder logits stay close to the Hugging Face fp32 reference`, async () => {
        const runtime = await openFixtureRuntime(model, { quantize: 'int8', int8Operator: operator });
        try {
          assert.equal(runtime.quantize, 'int8');
          const first = (await readExpected(model)).cases[0];
          const expected = first?.first3_decoder_step_logits;
          assert.ok(first !== undefined && expected !== undefined);
          const state = runtime.startDecoding(await runtime.encode([first.input_ids]));
          for (const [step, reference] of expected.logits.entries()) {
            const logits = await runtime.step(state, [expected.decoder_input_ids[step] as number]);
            const similarity = cosine(logits, reference);
            assert.ok(similarity > FLOORS[operator], `step ${step}: cosine similarity ${similarity}`);
          }
        } finally {
          await runtime.close();
        }
      });
    }
  });
}
