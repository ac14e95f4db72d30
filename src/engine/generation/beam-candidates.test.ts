import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleCandidates, topCandidates } from './beam-candidates.js';
import { createPrng } from './prng.js';

test('topCandidates returns the best entries over all beams, best first, lower index first on ties', () => {
  const totals = [new Float32Array([-1, -5, -2]), new Float32Array([-0.5, -2, -9])];
  assert.deepEqual(topCandidates(totals, 4), [
    { score: -0.5, token: 0, beam: 1 },
    { score: -1, token: 0, beam: 0 },
    { score: -2, token: 2, beam: 0 },
    { score: -2, token: 1, beam: 1 },
  ]);
});

test('sampleCandidates draws distinct continuations, never impossible ones, sorted by score', () => {
  const totals = [new Float32Array([-1, -Infinity, -2]), new Float32Array([-0.5, -Infinity, -Infinity])];
  const drawn = sampleCandidates(totals, 4, createPrng(3));
  assert.equal(drawn.length, 3, 'only three continuations are possible');
  assert.deepEqual(new Set(drawn.map((entry) => `${entry.beam}:${entry.token}`)).size, 3);
  assert.deepEqual(
    drawn.map((entry) => entry.score),
    [-0.5, -1, -2],
  );
});
