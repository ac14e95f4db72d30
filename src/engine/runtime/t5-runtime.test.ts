import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_MODELS, greedy, openFixtureRuntime, readExpected } from './__fixtures__/t5-expected.js';
import type { ExpectedCase } from './__fixtures__/t5-expected.js';
import type { T5Runtime } from './types.js';

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

for (const model of FIXTURE_MODELS) {
  describe(`T5 runtime on ${model} (Hugging Face parity)`, () => {
    let runtime: T5Runtime;
    let cases: readonly ExpectedCase[];
    before(async () => {
      runtime = await openFixtureRuntime(model);
      cases = (await readExpected(model)).cases;
    });
    after(() => runtime.close());

    it('encoder last_hidden_state matches per row (first 8 values) and in sum / abs_sum', async () => {
      for (const [index, expected] of cases.entries()) {
        const encoded = await runtime.encode([expected.input_ids]);
        const { dModel } = runtime.config;
        const hidden = encoded.lastHiddenState;
        assert.deepEqual([encoded.encoderLength, dModel], expected.encoder_last_hidden_state.shape);
        expected.encoder_last_hidden_state.first8_per_row.forEach((values, row) => {
          values.forEach((value, column) =>
            assertClose(hidden[row * dModel + column] as number, value, 1e-4, `case ${index} row ${row} col ${column}`),
          );
        });
        const sum = hidden.reduce((total, value) => total + value, 0);
        const absSum = hidden.reduce((total, value) => total + Math.abs(value), 0);
        assertClose(
          absSum,
          expected.encoder_last_hidden_state.abs_sum,
          1e-5 * Math.abs(expected.encoder_last_hidden_state.abs_sum),
          `case ${index} abs_sum`,
        );
        assertClose(sum, expected.encoder_last_hidden_state.sum, 1e-4 * expected.encoder_last_hidden_state.abs_sum, `case ${index} sum`);
      }
    });

    it('the first three decoder steps give the reference logits', async () => {
      const expected = cases[0]?.first3_decoder_step_logits;
      assert.ok(expected !== undefined);
      const encoded = await runtime.encode([cases[0]?.input_ids ?? []]);
      const state = runtime.startDecoding(encoded);
      for (const [step, logitsExpected] of expected.logits.entries()) {
        const logits = await runtime.step(state, [expected.decoder_input_ids[step] as number]);
        assert.equal(logits.length, runtime.config.vocabSize);
        let worst = 0;
        logitsExpected.forEach((value, index) => (worst = Math.max(worst, Math.abs((logits[index] as number) - value))));
        assert.ok(worst <= 1e-4, `step ${step}: largest logit difference ${worst}`);
      }
    });

    it('greedy decoding reproduces every reference sequence, alone and in one padded batch', async () => {
      for (const expected of cases) {
        const [sequence] = await greedy(runtime, [expected.input_ids], 20);
        assert.deepEqual(sequence, expected.greedy.sequence);
      }
      const batched = await greedy(
        runtime,
        cases.map((expected) => expected.input_ids),
        20,
      );
      assert.deepEqual(
        batched,
        cases.map((expected) => expected.greedy.sequence),
      );
    });
  });
}
