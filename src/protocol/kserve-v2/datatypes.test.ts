import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATATYPE_INFO, elementCount, KSERVE_V2_DATATYPES, tensorByteSize } from './datatypes.js';

test('byte sizes match the binary extension spec examples', () => {
  assert.equal(tensorByteSize('UINT32', [2, 2]), 16);
  assert.equal(tensorByteSize('BOOL', [3]), 3);
  assert.equal(tensorByteSize('FP32', [3, 2]), 24);
  assert.equal(tensorByteSize('BYTES', [3]), null);
});

test('element sizes follow the datatype table', () => {
  const sizes = Object.fromEntries(KSERVE_V2_DATATYPES.map((datatype) => [datatype, DATATYPE_INFO[datatype].bytesPerElement]));
  assert.deepEqual(sizes, {
    BOOL: 1,
    UINT8: 1,
    UINT16: 2,
    UINT32: 4,
    UINT64: 8,
    INT8: 1,
    INT16: 2,
    INT32: 4,
    INT64: 8,
    FP16: 2,
    FP32: 4,
    FP64: 8,
    BYTES: null,
    BF16: 2,
  });
  assert.equal(DATATYPE_INFO.UINT64.max, 18446744073709551615n);
  assert.equal(DATATYPE_INFO.INT8.min, -128n);
});

test('a scalar shape has one element', () => {
  assert.equal(elementCount([]), 1);
  assert.equal(elementCount([2, 0, 3]), 0);
});
