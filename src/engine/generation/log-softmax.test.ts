import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logSoftmax, softmax } from './log-softmax.js';

test('logSoftmax normalises, keeps -Infinity, and matches softmax', () => {
  const scores = new Float32Array([1, 2, -Infinity, 3]);
  const logs = logSoftmax(scores);
  const probs = softmax(scores);
  assert.equal(logs[2], -Infinity);
  assert.equal(probs[2], 0);
  assert.ok(Math.abs(probs.reduce((sum, value) => sum + value, 0) - 1) < 1e-12);
  for (const index of [0, 1, 3]) assert.ok(Math.abs(Math.exp(logs[index]) - probs[index]) < 1e-6);
  assert.ok(Math.abs(logs[3] - (3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)))) < 1e-6);
});
