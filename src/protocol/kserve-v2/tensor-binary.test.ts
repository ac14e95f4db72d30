import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { createTensor, type KServeV2Tensor } from './tensor.js';
import { binaryByteLength, tensorFromBinary, tensorToBinary } from './tensor-binary.js';

const origin = { source: 'request', role: 'input' } as const;

function roundTrip(tensor: KServeV2Tensor): KServeV2Tensor {
  return tensorFromBinary(tensor, tensorToBinary(tensor), origin);
}

test('every fixed-size datatype survives a binary round trip, little-endian', () => {
  const tensors: KServeV2Tensor[] = [
    createTensor({ name: 'a', datatype: 'UINT32', shape: [2, 2] }, Uint32Array.of(1, 2, 3, 4294967295)),
    createTensor({ name: 'b', datatype: 'INT64', shape: [2] }, BigInt64Array.of(-1n, 9007199254740993n)),
    createTensor({ name: 'c', datatype: 'UINT64', shape: [1] }, BigUint64Array.of(18446744073709551615n)),
    createTensor({ name: 'd', datatype: 'FP32', shape: [3, 2] }, Float32Array.of(0, 1.5, -2, 3, 4, 5)),
    createTensor({ name: 'e', datatype: 'FP64', shape: [1] }, Float64Array.of(Math.PI)),
    createTensor({ name: 'f', datatype: 'INT8', shape: [2] }, Int8Array.of(-128, 127)),
    createTensor({ name: 'g', datatype: 'FP16', shape: [1] }, Uint16Array.of(0x3c00)),
    createTensor({ name: 'h', datatype: 'BF16', shape: [1] }, Uint16Array.of(0x3f80)),
  ];
  for (const tensor of tensors) assert.deepEqual(roundTrip(tensor), tensor);
  assert.deepEqual([...tensorToBinary(tensors[0]!).subarray(0, 8)], [1, 0, 0, 0, 2, 0, 0, 0]);
  assert.equal(binaryByteLength(tensors[3]!), 24);
});

test('BOOL is one byte per element and any non-zero byte reads as true', () => {
  const tensor = tensorFromBinary({ name: 'flags', datatype: 'BOOL', shape: [3] }, Uint8Array.of(1, 0, 7), origin);
  assert.deepEqual(tensor.data, Uint8Array.of(1, 0, 1));
});

test('BYTES elements carry 4-byte little-endian length prefixes', () => {
  const tensor = createTensor({ name: 's', datatype: 'BYTES', shape: [2] }, [Uint8Array.of(104, 105), new Uint8Array(0)]);
  const bytes = tensorToBinary(tensor);
  assert.deepEqual([...bytes], [2, 0, 0, 0, 104, 105, 0, 0, 0, 0]);
  assert.deepEqual(roundTrip(tensor), tensor);
});

test('sizes that lie are refused with the tensor name and both sizes', () => {
  const check = (run: () => unknown, ...parts: string[]) =>
    assert.throws(run, (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error));
      assert.equal(error.httpStatus, 400);
      for (const part of parts) assert.ok(error.message.includes(part), `${error.message} lacks ${part}`);
      return true;
    });
  check(
    () => tensorFromBinary({ name: 'input_ids', datatype: 'UINT32', shape: [2, 4] }, new Uint8Array(40), origin),
    "input 'input_ids'",
    '40 bytes',
    '32 bytes',
    '[2,4] UINT32',
  );
  check(
    () => tensorFromBinary({ name: 's', datatype: 'BYTES', shape: [3] }, Uint8Array.of(1, 0, 0, 0, 65), origin),
    '1 BYTES elements',
    '3 elements',
  );
  check(() => tensorFromBinary({ name: 's', datatype: 'BYTES', shape: [1] }, Uint8Array.of(9, 0, 0, 0, 65), origin), 'past the end');
  check(() => tensorFromBinary({ name: 's', datatype: 'BYTES', shape: [1] }, Uint8Array.of(1, 0), origin), 'cut length prefix');
});

test("an upstream reply with a bad size is a 502, not the caller's fault", () => {
  assert.throws(
    () =>
      tensorFromBinary({ name: 'output_ids', datatype: 'INT32', shape: [1, 1, 4] }, new Uint8Array(12), {
        source: 'reply',
        role: 'output',
      }),
    (error: unknown) =>
      LlmDeployError.isInstance(error) &&
      error.httpStatus === 502 &&
      error.code === 'PROTOCOL_REPLY_INVALID' &&
      error.message.includes("output 'output_ids'"),
  );
});
