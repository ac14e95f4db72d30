import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyTemperature, applyTopK, applyTopP, kthLargest } from './logits-warpers.js';

test('temperature divides the scores', () => {
  const scores = new Float32Array([1, 2, -4]);
  applyTemperature(scores, 2);
  assert.deepEqual([...scores], [0.5, 1, -2]);
});

test('top-k keeps the k best and ties with the k-th', () => {
  const scores = new Float32Array([1, 3, 2, 2, 0]);
  applyTopK(scores, 2, 1);
  assert.deepEqual([...scores], [-Infinity, 3, 2, 2, -Infinity]);
  const kept = new Float32Array([1, 3, 2]);
  applyTopK(kept, 1, 2);
  assert.deepEqual([...kept], [-Infinity, 3, 2]);
});

test('top-p removes the low tail whose cumulative probability is <= 1 - top_p', () => {
  // probabilities 0.5, 0.3, 0.2 (ascending 0.2, 0.3, 0.5; cumulative 0.2, 0.5, 1.0)
  const scores = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
  applyTopP(scores, 0.8, 1);
  assert.deepEqual([...scores].map(Number.isFinite), [true, true, false]);
  const tight = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
  applyTopP(tight, 0.4, 1);
  assert.deepEqual([...tight].map(Number.isFinite), [true, false, false]);
  const keepTwo = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
  applyTopP(keepTwo, 0.1, 2);
  assert.deepEqual([...keepTwo].map(Number.isFinite), [true, true, false]);
});

test('kthLargest agrees with a full sort, ties and -Infinity included', () => {
  const scores = Float32Array.from({ length: 3000 }, (_, index) => (index % 7 === 0 ? -Infinity : Math.round(Math.sin(index) * 50) / 4));
  const sorted = Float32Array.from(scores).sort().reverse();
  for (const k of [1, 2, 5, 50, 1024, 1025, 2999]) assert.equal(kthLargest(scores, k), sorted[k - 1], `k ${k}`);
});
