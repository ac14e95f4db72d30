import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeInferRequest } from '../decode-infer-request.js';
import { decodeInferResponse } from '../decode-infer-response.js';
import { encodeInferRequest } from '../encode-infer-request.js';
import { encodeInferResponse } from '../encode-infer-response.js';
import { createTensor } from '../tensor.js';
import { assertLlmDeployError } from '../../__fixtures__/assert-error.js';
import { buildFtT5Request, parseFtT5Reply } from './client.js';
import { relu, withoutStartAndPadding } from '../../__fixtures__/relu-expected.js';
import { buildFtT5Outputs } from './outputs.js';
import { parseFtT5Inputs } from './parse-inputs.js';
import { ftRowFromSettings, type FtT5Row } from './row.js';

const greedy = {
  maxNewTokens: 20,
  numBeams: 1,
  doSample: false,
  temperature: 1,
  topK: 50,
  topP: 1,
  repetitionPenalty: 1,
  lengthPenalty: 1,
};

test('rows survive client encode -> binary wire -> server parse', () => {
  const rows = relu.cases.map((item) => ftRowFromSettings(item.input_ids, greedy));
  const request = buildFtT5Request(rows);
  assert.deepEqual(
    request.inputs.map((input) => input.name),
    ['input_ids', 'sequence_length', 'max_output_len'],
    'optional inputs at FT defaults are left out',
  );
  const { body, headers } = encodeInferRequest(request);
  const decoded = decodeInferRequest(body, { inferenceHeaderContentLength: headers['inference-header-content-length'] });
  assert.deepEqual(parseFtT5Inputs(decoded.inputs), rows);
  assert.deepEqual(decoded.outputs, [
    { name: 'output_ids', binaryData: true },
    { name: 'sequence_length', binaryData: true },
  ]);
});

test('sampling settings, seeds and log-probs are sent as FT inputs', () => {
  const sampling = { ...greedy, doSample: true, topK: 0, topP: 0.9, temperature: 0.7, seed: 42 };
  const rows: FtT5Row[] = [ftRowFromSettings([5, 1], sampling, true), ftRowFromSettings([6, 7, 1], { ...sampling, topK: 0, topP: 1 })];
  assert.equal(rows[1]?.topP, 1, 'HF top_k 0 + top_p 1 (plain sampling) is FT top_p 1');
  const request = buildFtT5Request(rows, { binaryOutputs: false });
  const names = request.inputs.map((input) => input.name);
  assert.deepEqual(names, [
    'input_ids',
    'sequence_length',
    'max_output_len',
    'runtime_top_k',
    'runtime_top_p',
    'temperature',
    'random_seed',
    'is_return_log_probs',
  ]);
  assert.deepEqual(request.inputs.find((input) => input.name === 'random_seed')?.data, BigUint64Array.of(42n, 42n));
  assert.deepEqual(
    request.outputs?.map((output) => output.name),
    ['output_ids', 'sequence_length', 'cum_log_probs', 'output_log_probs'],
  );
  assertLlmDeployError(() => buildFtT5Request([rows[0]!, { ...rows[1]!, maxNewTokens: 5 }]), { status: 500 });
});

test('a Triton reply, UINT32 or INT32, JSON or binary, parses back to the HF sequences', () => {
  const expected = relu.batched.greedy_sequences.map(withoutStartAndPadding);
  for (const idDatatype of ['UINT32', 'INT32'] as const) {
    for (const binaryDataOutput of [true, false]) {
      const outputs = buildFtT5Outputs(
        expected.map((tokenIds) => [{ tokenIds }]),
        { returnLogProbs: false, idDatatype },
      );
      const { body, headers } = encodeInferResponse({ modelName: 'fastertransformer', outputs }, { binaryDataOutput });
      const wire = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      const reply = decodeInferResponse(wire, headers['inference-header-content-length']);
      const beams = parseFtT5Reply(reply.outputs, { batch: expected.length });
      assert.deepEqual(
        beams.map((row) => row[0]?.tokenIds),
        expected,
      );
      assert.deepEqual(
        beams.map((row) => row[0]?.finishedByEos),
        [false, false, false, false, false, true],
      );
    }
  }
});

test('a leading decoder start id is dropped and ids after </s> are cut', () => {
  const outputs = [
    createTensor({ name: 'output_ids', datatype: 'INT32', shape: [1, 1, 6] }, Int32Array.of(0, 216, 1, 7, 7, 1)),
    createTensor({ name: 'sequence_length', datatype: 'INT32', shape: [1, 1] }, Int32Array.of(5)),
    createTensor({ name: 'cum_log_probs', datatype: 'FP32', shape: [1, 1] }, Float32Array.of(-1.5)),
    createTensor({ name: 'output_log_probs', datatype: 'FP32', shape: [1, 1, 6] }, Float32Array.of(-1, -0.5, 0, 0, 0, 0)),
  ];
  assert.deepEqual(parseFtT5Reply(outputs, { batch: 1 }), [
    [{ tokenIds: [216, 1], finishedByEos: true, cumLogProb: -1.5, tokenLogProbs: [-1, -0.5] }],
  ]);
});

test('a reply that breaks the contract is a 502 naming the output', () => {
  const ids = createTensor({ name: 'output_ids', datatype: 'UINT32', shape: [1, 1, 2] }, Uint32Array.of(5, 1));
  assertLlmDeployError(() => parseFtT5Reply([ids], { batch: 1 }), { status: 502, parts: ["output 'sequence_length'", 'missing'] });
  const longer = createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(3));
  assertLlmDeployError(() => parseFtT5Reply([ids, longer], { batch: 1 }), {
    status: 502,
    parts: ["output 'sequence_length'", 'given 3', '0..2'],
  });
  assertLlmDeployError(() => parseFtT5Reply([ids, longer], { batch: 2 }), { status: 502, parts: ["output 'output_ids'", 'batch 2'] });
  const floats = createTensor({ name: 'output_ids', datatype: 'FP32', shape: [1, 1, 2] }, Float32Array.of(5, 1));
  assertLlmDeployError(() => parseFtT5Reply([floats, longer], { batch: 1 }), { status: 502, parts: ['FP32', 'UINT32 or INT32'] });
});
