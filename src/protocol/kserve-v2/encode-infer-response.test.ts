import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeInferResponse } from './decode-infer-response.js';
import { encodeInferResponse } from './encode-infer-response.js';
import { createTensor } from './tensor.js';
import { assertLlmDeployError } from '../__fixtures__/assert-error.js';

const result = {
  modelName: 'fastertransformer',
  id: 'r1',
  outputs: [
    createTensor({ name: 'output_ids', datatype: 'UINT32', shape: [1, 1, 3] }, Uint32Array.of(7, 8, 1)),
    createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(3)),
  ],
};

test('without binary flags the response is a JSON object with flat data', () => {
  const { body, headers } = encodeInferResponse(result);
  assert.equal(headers['inference-header-content-length'], undefined);
  assert.deepEqual(body, {
    model_name: 'fastertransformer',
    id: 'r1',
    outputs: [
      { name: 'output_ids', datatype: 'UINT32', shape: [1, 1, 3], data: [7, 8, 1] },
      { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [3] },
    ],
  });
});

test('binary_data per output overrides binary_data_output; chunks follow in output order', () => {
  const { body, headers } = encodeInferResponse(result, {
    binaryDataOutput: true,
    outputs: [{ name: 'sequence_length', binaryData: false }, { name: 'output_ids' }],
  });
  assert.ok(Buffer.isBuffer(body));
  const headerLength = Number(headers['inference-header-content-length']);
  const json: unknown = JSON.parse(body.subarray(0, headerLength).toString());
  assert.deepEqual(json, {
    model_name: 'fastertransformer',
    id: 'r1',
    outputs: [
      { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [3] },
      { name: 'output_ids', datatype: 'UINT32', shape: [1, 1, 3], parameters: { binary_data_size: 12 } },
    ],
  });
  assert.deepEqual([...body.subarray(headerLength)], [7, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0]);
  const decoded = decodeInferResponse(body, headers['inference-header-content-length']);
  assert.deepEqual(
    decoded.outputs.map((output) => output.data),
    [Uint32Array.of(3), Uint32Array.of(7, 8, 1)],
  );
  assert.equal(decoded.modelName, 'fastertransformer');
});

test("an output the model lacks is the caller's 400", () => {
  assertLlmDeployError(() => encodeInferResponse(result, { outputs: [{ name: 'logits' }] }), {
    status: 400,
    code: 'PROTOCOL_OUTPUT_UNKNOWN',
    parts: ["'logits'", "'output_ids'"],
  });
});

test('a broken upstream reply is a 502 naming what is wrong', () => {
  assertLlmDeployError(() => decodeInferResponse(Buffer.from('<html>')), {
    status: 502,
    code: 'PROTOCOL_REPLY_INVALID',
    parts: ['not valid JSON'],
  });
  assertLlmDeployError(() => decodeInferResponse(Buffer.from('{"outputs": []}')), { status: 502, parts: ['model_name'] });
  const head = Buffer.from(
    JSON.stringify({
      model_name: 'm',
      outputs: [{ name: 'output_ids', datatype: 'INT32', shape: [1, 1, 4], parameters: { binary_data_size: 16 } }],
    }),
  );
  assertLlmDeployError(() => decodeInferResponse(Buffer.concat([head, Buffer.alloc(8)]), String(head.length)), {
    status: 502,
    parts: ["output 'output_ids'", '8 bytes left'],
  });
});
