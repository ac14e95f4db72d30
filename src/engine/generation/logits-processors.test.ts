import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HF_GENERATION_DEFAULTS } from './__fixtures__/hf-defaults.js';
import { applyRepetitionPenalty, banRepeatedNgrams, processLogits } from './logits-processors.js';

test('repetition penalty divides positive and multiplies negative scores of seen tokens (start token included)', () => {
  const scores = new Float32Array([2, -2, 4, 1]);
  applyRepetitionPenalty(scores, [0, 1, 1], 2);
  assert.deepEqual([...scores], [1, -4, 4, 1]);
});

test('no-repeat n-gram bans tokens completing a seen n-gram', () => {
  const scores = new Float32Array(6).fill(1);
  // history 0 3 4 5 3 -> bigram prefix (3) was followed by 4: ban 4
  banRepeatedNgrams(scores, [0, 3, 4, 5, 3], 2);
  assert.deepEqual([...scores], [1, 1, 1, 1, -Infinity, 1]);
  const unigram = new Float32Array(6).fill(1);
  banRepeatedNgrams(unigram, [0, 2], 1);
  assert.deepEqual([...unigram], [-Infinity, 1, -Infinity, 1, 1, 1]);
  const short = new Float32Array(6).fill(1);
  banRepeatedNgrams(short, [0, 3], 3);
  assert.deepEqual([...short], [1, 1, 1, 1, 1, 1]);
});

test('min_new_tokens masks EOS until enough tokens were generated', () => {
  const params = { ...HF_GENERATION_DEFAULTS, minNewTokens: 2 };
  const early = new Float32Array([0, 5, 1]);
  processLogits(early, { history: [0, 7], eosTokenIds: [1] }, params);
  assert.equal(early[1], -Infinity);
  const later = new Float32Array([0, 5, 1]);
  processLogits(later, { history: [0, 7, 8], eosTokenIds: [1] }, params);
  assert.equal(later[1], 5);
});
