import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { tensorFromJson, tensorToJson } from './tensor-json.js';
import type { KServeV2Datatype } from './datatypes.js';

const origin = { source: 'request', role: 'input' } as const;
const read = (datatype: KServeV2Datatype, shape: number[], data: unknown) => tensorFromJson({ name: 'x', datatype, shape }, data, origin);

function rejects(run: () => unknown, ...parts: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error));
    assert.equal(error.httpStatus, 400);
    assert.equal(error.code, 'PROTOCOL_TENSOR_INVALID');
    for (const part of parts) assert.ok(error.message.includes(part), `${error.message} lacks ${part}`);
    return true;
  });
}

test('nested and flat data give the same tensor', () => {
  const nested = read(
    'UINT32',
    [2, 2],
    [
      [1, 2],
      [3, 4],
    ],
  );
  const flat = read('UINT32', [2, 2], [1, 2, 3, 4]);
  assert.deepEqual(nested.data, Uint32Array.of(1, 2, 3, 4));
  assert.deepEqual(flat.data, nested.data);
  assert.deepEqual(read('FP32', [1, 2, 1], [[[0.5], [1.5]]]).data, Float32Array.of(0.5, 1.5));
});

test('element count must equal product(shape)', () => {
  rejects(() => read('UINT32', [2, 2], [1, 2, 3]), "input 'x'", '3 elements', '4 elements');
  rejects(() => read('UINT32', [1], 7), 'JSON array');
});

test('integers are checked for type and range', () => {
  rejects(() => read('UINT32', [1], [1.5]), 'element 0', 'UINT32', '1.5');
  rejects(() => read('UINT32', [1], [-1]), '0..4294967295');
  rejects(() => read('UINT32', [1], [4294967296]), '4294967296');
  rejects(() => read('INT8', [2], [1, 128]), 'element 1', '-128..127');
  rejects(() => read('INT32', [1], [Number.NaN]));
  rejects(() => read('INT32', [1], [Number.POSITIVE_INFINITY]));
  rejects(() => read('INT32', [1], ['3']), '"3"');
  assert.deepEqual(read('INT16', [2], [-32768, 32767]).data, Int16Array.of(-32768, 32767));
});

test('64-bit integers go through BigInt; unsafe JSON numbers are refused', () => {
  const seed = read('UINT64', [2, 1], [[42], ['18446744073709551615']]);
  assert.deepEqual(seed.data, BigUint64Array.of(42n, 18446744073709551615n));
  rejects(() => read('UINT64', [1], [2 ** 60]), 'decimal string');
  rejects(() => read('UINT64', [1], ['18446744073709551616']), 'UINT64');
  rejects(() => read('INT64', [1], [Number.NaN]));
  assert.deepEqual(read('INT64', [1], ['-9223372036854775808']).data, BigInt64Array.of(-9223372036854775808n));
});

test('floats must be finite; BOOL must be boolean; BYTES must be strings', () => {
  rejects(() => read('FP32', [1], [Number.NaN]), 'finite');
  rejects(() => read('FP64', [1], [Number.NEGATIVE_INFINITY]), 'finite');
  rejects(() => read('BOOL', [1], [1]), 'true or false');
  assert.deepEqual(read('BOOL', [3], [true, false, true]).data, Uint8Array.of(1, 0, 1));
  const bytes = read('BYTES', [2], ['héllo', '']);
  assert.deepEqual(tensorToJson(bytes, origin), ['héllo', '']);
  rejects(() => read('BYTES', [1], [5]), 'a string');
});

test('FP16 and BF16 are binary-only, both ways', () => {
  rejects(() => read('FP16', [1], [0.5]), 'FP16', 'binary');
  rejects(() => read('BF16', [1], [0.5]), 'BF16');
});

test('JSON output writes flat data; big 64-bit values become strings', () => {
  const tensor = read('UINT64', [2], [7, '18446744073709551615']);
  assert.deepEqual(tensorToJson(tensor, origin), [7, '18446744073709551615']);
  assert.deepEqual(tensorToJson(read('BOOL', [2], [true, false]), origin), [true, false]);
  assert.deepEqual(tensorToJson(read('INT32', [2, 1], [[-1], [2]]), origin), [-1, 2]);
});

function nest(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

test('too many elements are refused before the rest of the data is read', () => {
  const data: unknown[] = [1, 2, 3, 4, 5, 6, 7, 8];
  // a getter past the third element: reading it means the whole array was materialised first
  Object.defineProperty(data, 5, {
    get() {
      throw new Error('element 5 was read');
    },
  });
  rejects(() => read('UINT32', [2], data), 'shape [2]', 'more than 2 elements');
  rejects(() => read('UINT32', [2], [[1], [2], [data]]), 'more than 2 elements');
});

test('a shape whose element count passes 2^53 is refused, not rounded', () => {
  rejects(() => read('UINT32', [2 ** 30, 2 ** 30, 2 ** 30], [1]), 'too many elements');
  rejects(() => read('UINT8', [2 ** 53 - 1, 2], [1]), 'too many elements');
});

test('fewer elements than the shape: 400 with the counts', () => {
  rejects(() => read('UINT32', [1_000_000_000], [[1, 2], [3]]), 'given 3 elements', 'expected 1000000000 elements');
});

test('deeply nested data is counted without recursion', () => {
  rejects(() => read('UINT32', [2], nest(100_000, 7)), 'given 1 elements');
  assert.deepEqual(read('UINT32', [1], nest(50, 7)).data, Uint32Array.of(7));
});
