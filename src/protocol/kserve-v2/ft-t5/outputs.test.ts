import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relu, withoutStartAndPadding } from '../../__fixtures__/relu-expected.js';
import { buildFtT5Outputs } from './outputs.js';

test('HF greedy results become output_ids [batch, 1, L] padded with </s> and sequence_length [batch, 1]', () => {
  const sequences = relu.batched.greedy_sequences.map(withoutStartAndPadding);
  const [ids, lengths, ...rest] = buildFtT5Outputs(
    sequences.map((tokenIds) => [{ tokenIds }]),
    { returnLogProbs: false },
  );
  assert.equal(rest.length, 0);
  assert.equal(ids?.name, 'output_ids');
  assert.equal(ids?.datatype, 'UINT32');
  assert.deepEqual(ids?.shape, [6, 1, 20]);
  assert.deepEqual(lengths?.shape, [6, 1]);
  assert.deepEqual([...(lengths?.data as Uint32Array)], [20, 20, 20, 20, 20, 4]);
  const last = [...(ids?.data as Uint32Array).subarray(5 * 20, 6 * 20)];
  assert.deepEqual(last.slice(0, 4), sequences[5]);
  assert.deepEqual(last.slice(4), new Array(16).fill(1));
});

test('log-prob outputs appear when asked; beams of a row are listed best first; INT32 on request', () => {
  const outputs = buildFtT5Outputs(
    [
      [
        { tokenIds: [5, 1], cumLogProb: -0.5, tokenLogProbs: [-0.25, -0.25] },
        { tokenIds: [6, 7, 1], cumLogProb: -0.75, tokenLogProbs: [-0.25, -0.25, -0.25] },
      ],
    ],
    { returnLogProbs: true, idDatatype: 'INT32' },
  );
  assert.deepEqual(
    outputs.map((output) => [output.name, output.datatype, output.shape]),
    [
      ['output_ids', 'INT32', [1, 2, 3]],
      ['sequence_length', 'INT32', [1, 2]],
      ['cum_log_probs', 'FP32', [1, 2]],
      ['output_log_probs', 'FP32', [1, 2, 3]],
    ],
  );
  assert.deepEqual([...(outputs[0]?.data as Int32Array)], [5, 1, 1, 6, 7, 1]);
  assert.deepEqual([...(outputs[2]?.data as Float32Array)], [-0.5, -0.75]);
  assert.deepEqual([...(outputs[3]?.data as Float32Array)], [-0.25, -0.25, 0, -0.25, -0.25, -0.25]);
});
