import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng, sampleIndex } from './prng.js';

test('the same seed gives the same stream; another seed another one', () => {
  const draw = (seed: number): number[] => {
    const prng = createPrng(seed);
    return Array.from({ length: 5 }, () => prng.next());
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.notDeepEqual(draw(2 ** 40), draw(2 ** 40 + 2 ** 33));
  for (const value of draw(7)) assert.ok(value >= 0 && value < 1);
});

test('sampleIndex follows the distribution and never draws zero-probability entries', () => {
  const prng = createPrng(1);
  const probs = new Float64Array([0.25, 0, 0.75]);
  const counts = [0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[sampleIndex(probs, prng)]++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[0] / 4000 - 0.25) < 0.03, `counts ${counts.join(',')}`);
});
