import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertToFloat32, dtypeBytes, floatToBfloat16Bits, floatToHalfBits, isFloatDtype } from './dtype.js';

// Bit patterns from IEEE 754 binary16 and bfloat16 (the truncated top half of binary32).
const HALF_CASES: readonly [number, number][] = [
  [0x0000, 0],
  [0x8000, -0],
  [0x3c00, 1],
  [0xc000, -2],
  [0x3555, 0.333251953125],
  [0x7bff, 65504],
  [0x0400, 2 ** -14],
  [0x0001, 2 ** -24],
  [0x03ff, 1023 * 2 ** -24],
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
];
const BFLOAT_CASES: readonly [number, number][] = [
  [0x3f80, 1],
  [0xc040, -3],
  [0x7f80, Infinity],
  [0x0001, 2 ** -133],
  [0x4049, 3.140625],
];

function bytesOf(bits: readonly number[], offset = 0): Uint8Array {
  const bytes = new Uint8Array(offset + bits.length * 2);
  const view = new DataView(bytes.buffer);
  bits.forEach((value, index) => view.setUint16(offset + index * 2, value, true));
  return bytes.subarray(offset);
}

describe('dtype conversion', () => {
  it('decodes IEEE half and bfloat16 bit patterns, from any byte offset', () => {
    // each table decoded from an odd byte offset, written one float past the start of the output
    for (const [dtype, cases, byteOffset] of [
      ['F16', HALF_CASES, 1],
      ['BF16', BFLOAT_CASES, 3],
    ] as const) {
      const decoded = new Float32Array(cases.length + 1);
      convertToFloat32(
        bytesOf(
          cases.map(([bits]) => bits),
          byteOffset,
        ),
        dtype,
        decoded,
        1,
      );
      assert.deepEqual(
        [...decoded.subarray(1)],
        cases.map(([, value]) => value),
        dtype,
      );
    }
    const nan = new Float32Array(2);
    convertToFloat32(bytesOf([0x7e00, 0x7fc0]), 'F16', nan, 0);
    assert.ok(Number.isNaN(nan[0]));
  });

  it('copies F32 bytes unchanged from an unaligned source', () => {
    const source = new Uint8Array(13);
    new DataView(source.buffer).setFloat32(1, 1.5, true);
    new DataView(source.buffer).setFloat32(5, -0.25, true);
    new DataView(source.buffer).setFloat32(9, 3e38, true);
    const target = new Float32Array(3);
    convertToFloat32(source.subarray(1), 'F32', target, 0);
    assert.deepEqual([...target], [1.5, -0.25, Math.fround(3e38)]);
  });

  it('encodes float32 as half and bfloat16 bits, the inverse of decoding', () => {
    for (const [bits, value] of HALF_CASES) assert.equal(floatToHalfBits(value), bits, `half ${value}`);
    for (const [bits, value] of BFLOAT_CASES) assert.equal(floatToBfloat16Bits(value), bits, `bfloat16 ${value}`);
    assert.equal(floatToHalfBits(NaN) & 0x7c00, 0x7c00);
    assert.notEqual(floatToHalfBits(NaN) & 0x3ff, 0);
    assert.equal(floatToHalfBits(1e-9), 0);
    assert.equal(floatToHalfBits(65520), 0x7c00); // halfway past the largest half rounds to infinity
    assert.equal(floatToBfloat16Bits(NaN) & 0x7f80, 0x7f80);
  });

  it('knows element sizes and which dtypes read as float', () => {
    assert.equal(dtypeBytes('BF16'), 2);
    assert.equal(dtypeBytes('I64'), 8);
    assert.equal(dtypeBytes('Q4'), undefined);
    assert.deepEqual(['F32', 'F16', 'BF16', 'F64', 'I8'].map(isFloatDtype), [true, true, true, false, false]);
  });
});
