import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expNonPositive, logSoftmax, logSumExp, maxScore, softmax } from './log-softmax.js';

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

test('expNonPositive agrees with Math.exp to a few float64 ulps over the whole range it serves', () => {
  let worst = 0;
  for (let k = 0; k <= 64_000; k++) {
    const d = -k / 1000 - (k % 7) * 1.3e-5;
    worst = Math.max(worst, Math.abs(expNonPositive(d) / Math.exp(d) - 1));
  }
  assert.ok(worst < 4e-15, `worst relative error ${worst}`);
  assert.equal(expNonPositive(0), 1);
  assert.ok(Number.isNaN(expNonPositive(Number.NaN)));
});

test('logSumExp over a realistic vocabulary row equals the float64 sum of Math.exp terms', () => {
  const vocab = 32128;
  const scores = new Float32Array(vocab);
  for (let i = 0; i < vocab; i++) scores[i] = -30 + 12 * Math.sin(i * 0.61) + 6 * Math.cos(i * 1.7);
  scores[17] = 4.25;
  scores[900] = 3.5;
  scores[901] = -Infinity;
  const max = 4.25;
  let sum = 0;
  for (const score of scores) sum += Math.exp(score - max);
  const reference = max + Math.log(sum);
  assert.ok(Math.abs(logSumExp(scores) - reference) < 1e-14);
  assert.equal(logSumExp(scores, max), logSumExp(scores));
  // The log-softmax rounds to float32 exactly as the reference shift does (or within one float32 step).
  const logs = logSoftmax(scores);
  for (const index of [17, 900, 5, 20_000]) assert.ok(Math.abs(logs[index] - Math.fround(scores[index] - reference)) <= 1e-6);
  assert.equal(logs[901], -Infinity);
});

test('softmax keeps the tail beyond the skipped range (sampling may draw it) and a fully masked row is NaN, as before', () => {
  const probs = softmax(new Float32Array([0, -100, -Infinity]));
  assert.equal(probs[1], Math.exp(-100) / (1 + Math.exp(-100)));
  assert.equal(probs[2], 0);
  assert.ok(Number.isNaN(logSumExp(new Float32Array([-Infinity, -Infinity]))));
  assert.equal(maxScore(new Float32Array([-Infinity, 2, Number.NaN, 1])), 2);
});
