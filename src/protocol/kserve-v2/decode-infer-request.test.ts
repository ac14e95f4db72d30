import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeInferRequest } from './decode-infer-request.js';
import { encodeInferRequest } from './encode-infer-request.js';
import { createTensor } from './tensor.js';
import { assertLlmDeployError } from '../__fixtures__/assert-error.js';

const ids = { name: 'input_ids', datatype: 'UINT32', shape: [2, 4] };

function framed(json: unknown, ...chunks: Uint8Array[]): { body: Buffer; header: string } {
  const head = Buffer.from(JSON.stringify(json));
  return { body: Buffer.concat([head, ...chunks]), header: String(head.length) };
}

test('plain JSON as object, string or Buffer decodes to the same typed tensors', () => {
  const request = {
    id: 'r1',
    inputs: [
      {
        ...ids,
        data: [
          [1, 2, 3, 1],
          [4, 1, 0, 0],
        ],
      },
    ],
    outputs: [{ name: 'output_ids' }],
  };
  for (const body of [request, JSON.stringify(request), Buffer.from(JSON.stringify(request))]) {
    const decoded = decodeInferRequest(body);
    assert.equal(decoded.id, 'r1');
    assert.equal(decoded.binaryDataOutput, false);
    assert.deepEqual(decoded.outputs, [{ name: 'output_ids' }]);
    assert.deepEqual(decoded.inputs[0]?.data, Uint32Array.of(1, 2, 3, 1, 4, 1, 0, 0));
  }
});

test('binary inputs follow the JSON in listing order; JSON inputs may be mixed in', () => {
  const json = {
    parameters: { binary_data_output: true },
    inputs: [
      { ...ids, parameters: { binary_data_size: 32 } },
      { name: 'max_output_len', datatype: 'UINT32', shape: [2, 1], data: [8, 8] },
      { name: 'flags', datatype: 'BOOL', shape: [3], parameters: { binary_data_size: 3 } },
    ],
    outputs: [{ name: 'output_ids', parameters: { binary_data: false } }],
  };
  const { body, header } = framed(json, new Uint8Array(Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8).buffer), Uint8Array.of(1, 0, 1));
  const decoded = decodeInferRequest(body, { inferenceHeaderContentLength: header });
  assert.deepEqual(
    decoded.inputs.map((input) => input.name),
    ['input_ids', 'max_output_len', 'flags'],
  );
  assert.deepEqual(decoded.inputs[0]?.data, Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  assert.equal(decoded.inputs[0]?.parameters, undefined);
  assert.deepEqual(decoded.inputs[2]?.data, Uint8Array.of(1, 0, 1));
  assert.equal(decoded.binaryDataOutput, true);
  assert.deepEqual(decoded.outputs, [{ name: 'output_ids', binaryData: false }]);
});

test('binary_data_size that lies about the shape names the input and both sizes', () => {
  const { body, header } = framed({ inputs: [{ ...ids, parameters: { binary_data_size: 40 } }] }, new Uint8Array(40));
  assertLlmDeployError(() => decodeInferRequest(body, { inferenceHeaderContentLength: header }), {
    status: 400,
    code: 'PROTOCOL_TENSOR_INVALID',
    parts: ["input 'input_ids'", 'binary_data_size 40', '[2,4] UINT32', '32 bytes'],
  });
});

test('binary data shorter or longer than the sizes promise is refused', () => {
  const short = framed({ inputs: [{ ...ids, parameters: { binary_data_size: 32 } }] }, new Uint8Array(24));
  assertLlmDeployError(() => decodeInferRequest(short.body, { inferenceHeaderContentLength: short.header }), {
    status: 400,
    parts: ["input 'input_ids'", '24 bytes left'],
  });
  const long = framed({ inputs: [{ ...ids, parameters: { binary_data_size: 32 } }] }, new Uint8Array(36));
  assertLlmDeployError(() => decodeInferRequest(long.body, { inferenceHeaderContentLength: long.header }), {
    status: 400,
    parts: ['36 bytes of binary data', '32 bytes'],
  });
  assertLlmDeployError(() => decodeInferRequest(short.body), { status: 400, parts: ['Inference-Header-Content-Length header is missing'] });
});

test('a bad Inference-Header-Content-Length is refused', () => {
  const { body } = framed({ inputs: [{ ...ids, data: [1, 2, 3, 4, 5, 6, 7, 8] }] });
  for (const header of ['abc', '-1', String(body.length + 1), '1.5'])
    assertLlmDeployError(() => decodeInferRequest(body, { inferenceHeaderContentLength: header }), {
      status: 400,
      code: 'PROTOCOL_HEADER_INVALID',
      parts: ['Inference-Header-Content-Length'],
    });
});

test('schema problems name the field and the value', () => {
  assertLlmDeployError(() => decodeInferRequest(Buffer.from('{"inputs": [')), {
    status: 400,
    code: 'PROTOCOL_BODY_INVALID',
    parts: ['not valid JSON'],
  });
  assertLlmDeployError(() => decodeInferRequest({ inputs: [{ ...ids, datatype: 'FLOAT', data: [] }] }), {
    status: 400,
    parts: ['inputs[0].datatype', '"FLOAT"'],
  });
  assertLlmDeployError(() => decodeInferRequest({ inputs: [{ ...ids, shape: [2, -4], data: [] }] }), {
    status: 400,
    parts: ['inputs[0].shape[1]', '-4'],
  });
  assertLlmDeployError(() => decodeInferRequest({ inputs: [] }), { status: 400, parts: ['inputs'] });
  assertLlmDeployError(() => decodeInferRequest({ inputs: [{ ...ids }] }), { status: 400, parts: ["input 'input_ids'", 'no data'] });
  assertLlmDeployError(
    () =>
      decodeInferRequest({
        inputs: [
          { ...ids, data: [1, 2, 3, 4, 5, 6, 7, 8] },
          { ...ids, data: [] },
        ],
      }),
    {
      status: 400,
      parts: ['listed twice'],
    },
  );
  assertLlmDeployError(
    () => decodeInferRequest({ inputs: [{ ...ids, data: [1, 2, 3, 4, 5, 6, 7, 8], parameters: { binary_data_size: 32 } }] }),
    {
      status: 400,
      parts: ['both data and binary_data_size'],
    },
  );
  assertLlmDeployError(
    () => decodeInferRequest({ inputs: [{ ...ids, data: [1, 2, 3, 4, 5, 6, 7, 8] }], parameters: { binary_data_output: 'yes' } }),
    {
      status: 400,
      parts: ['parameters.binary_data_output', '"yes"'],
    },
  );
});

test('raw binary mode (header 0) takes the body as the single input, batch 1', () => {
  const body = Buffer.from(new Uint8Array(Float32Array.of(1, 2, 3, 4, 5, 6).buffer));
  const decoded = decodeInferRequest(body, {
    inferenceHeaderContentLength: '0',
    modelInputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
  });
  assert.deepEqual(decoded.inputs[0]?.shape, [3, 2]);
  assert.deepEqual(decoded.inputs[0]?.data, Float32Array.of(1, 2, 3, 4, 5, 6));
  assert.equal(decoded.binaryDataOutput, true);
  const many = [
    { name: 'a', datatype: 'UINT32', shape: [-1, -1] },
    { name: 'b', datatype: 'UINT32', shape: [-1, 1] },
  ] as const;
  assertLlmDeployError(() => decodeInferRequest(body, { inferenceHeaderContentLength: '0', modelInputs: many }), {
    status: 400,
    code: 'PROTOCOL_UNSUPPORTED',
    parts: ['exactly one input', '2 inputs'],
  });
  assertLlmDeployError(
    () =>
      decodeInferRequest(Buffer.alloc(10), {
        inferenceHeaderContentLength: '0',
        modelInputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
      }),
    { status: 400, parts: ["input 'x'", '10 bytes'] },
  );
});

test('what our client encodes, the server side decodes unchanged', () => {
  const inputs = [
    createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [1, 3] }, Uint32Array.of(13959, 1566, 1)),
    createTensor({ name: 'random_seed', datatype: 'UINT64', shape: [1, 1] }, BigUint64Array.of(18446744073709551615n)),
    createTensor({ name: 'text', datatype: 'BYTES', shape: [1] }, [new TextEncoder().encode('hi')]),
  ];
  for (const binaryInputs of [true, false]) {
    const { body, headers } = encodeInferRequest({ inputs, outputs: [{ name: 'output_ids', binaryData: true }] }, { binaryInputs });
    const decoded = decodeInferRequest(body, { inferenceHeaderContentLength: headers['inference-header-content-length'] });
    assert.deepEqual(decoded.inputs, inputs);
    assert.deepEqual(decoded.outputs, [{ name: 'output_ids', binaryData: true }]);
    assert.equal(headers['inference-header-content-length'] === undefined, !binaryInputs);
  }
});
