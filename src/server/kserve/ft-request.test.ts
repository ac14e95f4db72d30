import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { createTensor } from '../../protocol/index.js';
import { ftRowsFromTensors } from './ft-request.js';

const facts = { maxNewTokensCap: 100, maxBatch: 4, maxInputTokens: 16, eosTokenId: 1, decoderStartTokenId: 0 };
const ids = createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [2, 3] }, Uint32Array.of(5, 6, 1, 7, 1, 0));
const lengths = createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(3, 2));
const maxOut = createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [1] }, Uint32Array.of(9));

describe('ftRowsFromTensors', () => {
  it("cuts rows to sequence_length, broadcasts one value to all rows, and takes FT's defaults", () => {
    const rows = ftRowsFromTensors([ids, lengths, maxOut], facts);
    assert.deepEqual(
      rows.map((row) => row.inputIds),
      [
        [5, 6, 1],
        [7, 1],
      ],
    );
    const params = rows[0]?.params;
    // FT defaults: beam_width 1, runtime_top_k 1 (greedy), len_penalty 0, repetition_penalty 1
    assert.equal(params?.maxNewTokens, 9);
    assert.equal(params?.doSample, false);
    assert.equal(params?.numBeams, 1);
    assert.equal(params?.lengthPenalty, 0);
    assert.equal(params?.repetitionPenalty, 1);
    assert.equal(rows[0]?.returnLogProbs, false);
  });

  it('samples with runtime_top_k > 1 or runtime_top_p > 0, and reads UINT64 seeds', () => {
    const topP = createTensor({ name: 'runtime_top_p', datatype: 'FP32', shape: [2, 1] }, Float32Array.of(0, 0.5));
    const seed = createTensor({ name: 'random_seed', datatype: 'UINT64', shape: [2, 1] }, BigUint64Array.of(3n, 2n ** 63n));
    const rows = ftRowsFromTensors([ids, lengths, maxOut, topP, seed], facts);
    assert.equal(rows[0]?.params.doSample, false);
    assert.equal(rows[1]?.params.doSample, true);
    assert.equal(rows[1]?.params.topP, 0.5);
    assert.equal(rows[0]?.params.seed, 3);
    assert.ok(Number.isSafeInteger(rows[1]?.params.seed));
  });

  it('refuses a start_id that is not the model decoder start token', () => {
    const start = createTensor({ name: 'start_id', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(5, 5));
    assert.throws(
      () => ftRowsFromTensors([ids, maxOut, start], facts),
      (error: unknown) => LlmDeployError.isInstance(error) && error.httpStatus === 400 && error.field === "inputs 'start_id'",
    );
  });
});
