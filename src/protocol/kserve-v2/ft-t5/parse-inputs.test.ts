import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeInferRequest } from '../decode-infer-request.js';
import { createTensor } from '../tensor.js';
import { assertLlmDeployError } from '../../__fixtures__/assert-error.js';
import { relu } from '../../__fixtures__/relu-expected.js';
import { parseFtT5Inputs } from './parse-inputs.js';

test('the worked example of the FT contract parses with FT defaults for absent inputs', () => {
  const ids = relu.cases[0]!.input_ids;
  const request = decodeInferRequest({
    inputs: [
      { name: 'input_ids', datatype: 'UINT32', shape: [1, ids.length], data: ids },
      { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [ids.length] },
      { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [128] },
      { name: 'runtime_top_k', datatype: 'UINT32', shape: [1, 1], data: [1] },
    ],
    outputs: [{ name: 'output_ids' }, { name: 'sequence_length' }],
  });
  assert.deepEqual(parseFtT5Inputs(request.inputs), [
    {
      inputIds: ids,
      maxNewTokens: 128,
      topK: 1,
      topP: 0,
      beamWidth: 1,
      temperature: 1,
      lengthPenalty: 0,
      repetitionPenalty: 1,
      beamSearchDiversityRate: 0,
      returnLogProbs: false,
    },
  ]);
});

test('padded batch rows are cut to sequence_length (the HF attention mask sums)', () => {
  const { input_ids: rows, attention_mask: masks } = relu.batched;
  const width = rows[0]!.length;
  const lengths = masks.map((mask) => mask.reduce((sum, bit) => sum + bit, 0));
  const parsed = parseFtT5Inputs([
    createTensor({ name: 'input_ids', datatype: 'INT32', shape: [rows.length, width] }, Int32Array.from(rows.flat())),
    createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [rows.length, 1] }, Uint32Array.from(lengths)),
    createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [rows.length] }, new Uint32Array(rows.length).fill(20)),
    createTensor(
      { name: 'random_seed', datatype: 'UINT64', shape: [rows.length, 1] },
      new BigUint64Array(rows.length).fill(18446744073709551615n),
    ),
    createTensor({ name: 'is_return_log_probs', datatype: 'BOOL', shape: [rows.length, 1] }, new Uint8Array(rows.length).fill(1)),
  ]);
  assert.deepEqual(
    parsed.map((row) => row.inputIds),
    relu.cases.map((item) => item.input_ids),
  );
  assert.equal(parsed[0]?.seed, 18446744073709551615n);
  assert.equal(parsed[5]?.returnLogProbs, true);
});

const ids = createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [2, 3] }, Uint32Array.of(5, 6, 1, 7, 1, 0));
const lengths = createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(3, 2));
const maxLen = createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(8, 8));

test('missing, unknown and unsupported inputs are 400s naming the input', () => {
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths]), {
    status: 400,
    code: 'PROTOCOL_INPUT_MISSING',
    parts: ["input 'max_output_len'"],
  });
  assertLlmDeployError(() => parseFtT5Inputs([lengths, maxLen]), { status: 400, parts: ["input 'input_ids'"] });
  const extra = createTensor({ name: 'top_kk', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(1, 1));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, maxLen, extra]), { status: 400, parts: ["input 'top_kk'", 'runtime_top_k'] });
  const stop = createTensor({ name: 'stop_words_list', datatype: 'INT32', shape: [2, 2, 1] }, Int32Array.of(1, 1, 1, 1));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, maxLen, stop]), {
    status: 400,
    code: 'PROTOCOL_UNSUPPORTED',
    parts: ["input 'stop_words_list'"],
  });
});

test('wrong datatypes, shapes and values are 400s naming the input and the value', () => {
  const floatIds = createTensor({ name: 'input_ids', datatype: 'FP32', shape: [2, 3] }, new Float32Array(6));
  assertLlmDeployError(() => parseFtT5Inputs([floatIds, lengths, maxLen]), {
    status: 400,
    parts: ["input 'input_ids'", 'FP32', 'UINT32 or INT32'],
  });
  const flatIds = createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [6] }, new Uint32Array(6));
  assertLlmDeployError(() => parseFtT5Inputs([flatIds, lengths, maxLen]), { status: 400, parts: ["input 'input_ids'", '[6]'] });
  const wideMax = createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [2, 2] }, new Uint32Array(4));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, wideMax]), {
    status: 400,
    parts: ["input 'max_output_len'", '[2,2]', '[2,1]'],
  });
  const tooLong = createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(4, 2));
  assertLlmDeployError(() => parseFtT5Inputs([ids, tooLong, maxLen]), {
    status: 400,
    parts: ["input 'sequence_length'", 'given 4', '1..3'],
  });
  const zeroMax = createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(8, 0));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, zeroMax]), {
    status: 400,
    parts: ["input 'max_output_len'", 'row 1', 'given 0'],
  });
  const topP = createTensor({ name: 'runtime_top_p', datatype: 'FP32', shape: [2, 1] }, Float32Array.of(0.5, 1.5));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, maxLen, topP]), {
    status: 400,
    parts: ["input 'runtime_top_p'", '1.5', '0..1'],
  });
  const temperature = createTensor({ name: 'temperature', datatype: 'FP32', shape: [2, 1] }, Float32Array.of(-1, 1));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, maxLen, temperature]), {
    status: 400,
    parts: ["input 'temperature'", 'given -1', '>= 0'],
  });
  const repetition = createTensor({ name: 'repetition_penalty', datatype: 'FP32', shape: [2, 1] }, Float32Array.of(0, 1));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, maxLen, repetition]), {
    status: 400,
    parts: ["input 'repetition_penalty'", '> 0'],
  });
  const logProbs = createTensor({ name: 'is_return_log_probs', datatype: 'UINT32', shape: [2, 1] }, Uint32Array.of(1, 1));
  assertLlmDeployError(() => parseFtT5Inputs([ids, lengths, maxLen, logProbs]), {
    status: 400,
    parts: ["input 'is_return_log_probs'", 'BOOL'],
  });
});
