import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatAxis, splitAxis, transpose2d } from './tensor-ops.js';

const range = (count: number): Float32Array => Float32Array.from({ length: count }, (_, index) => index);

describe('tensor-ops', () => {
  it('transposes row-major matrices', () => {
    assert.deepEqual([...transpose2d(range(6), 2, 3)], [0, 3, 1, 4, 2, 5]);
  });

  it('splits on an axis as numpy.split does, and joins back', () => {
    // numpy.split(numpy.arange(12).reshape(2, 3, 2), 3, axis=1)[1] == [[[2, 3]], [[8, 9]]]
    const parts = splitAxis(range(12), [2, 3, 2], 1, 3);
    assert.deepEqual([...(parts[1] ?? [])], [2, 3, 8, 9]);
    assert.deepEqual(concatAxis(parts, [2, 3, 2], 1), range(12));
    for (const axis of [0, 1, 2]) {
      const shape = [4, 6, 2];
      const joined = concatAxis(splitAxis(range(48), shape, axis, 2), shape, axis);
      assert.deepEqual(joined, range(48), `axis ${axis}`);
    }
  });
});
