import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHalfBits } from './half.js';

// Bit patterns of IEEE 754 binary16 (numpy.float16(x).view(numpy.uint16)).
describe('toHalfBits', () => {
  it('rounds to nearest, ties to even, with overflow and subnormals', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [1 / 3, 0x3555],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000],
      [1.5 * 2 ** -25, 0x0001],
      [2 ** -14, 0x0400],
      [2049, 0x6800],
      [2051, 0x6802],
      [Infinity, 0x7c00],
      [-0, 0x8000],
    ];
    for (const [value, bits] of cases) assert.equal(toHalfBits(value), bits, `${value}`);
    assert.equal(toHalfBits(NaN) & 0x7c00, 0x7c00);
    assert.notEqual(toHalfBits(NaN) & 0x3ff, 0);
  });
});
