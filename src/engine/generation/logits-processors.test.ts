import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HF_GENERATION_DEFAULTS } from './__fixtures__/hf-defaults.js';
import { applyRepetitionPenalty, banBadWords, banRepeatedNgrams, processLogits, processorsApply } from './logits-processors.js';

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

test('forced BOS: at the first new token only forced_bos_token_id stays, at 0 (HF ForcedBOSTokenLogitsProcessor)', () => {
  const params = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 20 };
  const scores = Float32Array.from([-1.5, 3, 2, 0.5]);
  processLogits(scores, { history: [2], eosTokenIds: [2], forced: { bosTokenId: 0 } }, params);
  assert.deepEqual([...scores], [0, -Infinity, -Infinity, -Infinity]);
  const later = Float32Array.from([-1.5, 3, 2, 0.5]);
  processLogits(later, { history: [2, 0], eosTokenIds: [2], forced: { bosTokenId: 0 } }, params);
  assert.deepEqual([...later], [-1.5, 3, 2, 0.5]);
});

test('forced EOS: only at the last allowed new token (HF max_length - 1), every listed id at 0', () => {
  const params = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 3 };
  const row = (history: number[]): Float32Array => {
    const scores = Float32Array.from([1, 2, 3, 4]);
    processLogits(scores, { history, eosTokenIds: [2], forced: { eosTokenIds: [2] } }, params);
    return scores;
  };
  assert.deepEqual([...row([2, 0])], [1, 2, 3, 4]);
  assert.deepEqual([...row([2, 0, 1])], [-Infinity, -Infinity, 0, -Infinity]);
});

test('bad_words_ids: a one-token sequence is always banned, a longer one only after its prefix (HF NoBadWordsLogitsProcessor)', () => {
  const params = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 20 };
  const run = (history: number[]): number[] => {
    const scores = Float32Array.from([1, 2, 3, 4, 5]);
    processLogits(scores, { history, eosTokenIds: [0], badWordsIds: [[4], [2, 3]] }, params);
    return [...scores];
  };
  assert.deepEqual(run([1]), [1, 2, 3, 4, -Infinity]);
  assert.deepEqual(run([1, 2]), [1, 2, 3, -Infinity, -Infinity]);
  assert.deepEqual(run([1, 2, 1]), [1, 2, 3, 4, -Infinity]);
  // HF skips a sequence longer than the ids so far (start token included).
  const short = Float32Array.from([1, 2, 3, 4]);
  banBadWords(short, [2], [[7, 2, 3]]);
  assert.deepEqual([...short], [1, 2, 3, 4]);
});

test('bad_words_ids after log_softmax: the banned token is -inf, the others keep their log-probabilities', () => {
  const params = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 20 };
  const scores = Float32Array.from([-0.5, -1.5, -2.5]);
  processLogits(scores, { history: [2], eosTokenIds: [0], badWordsIds: [[2]], forced: { eosTokenIds: [0] } }, params);
  assert.deepEqual([...scores], [-0.5, -1.5, -Infinity]);
});

test('processorsApply is true exactly at the steps where processLogits changes a score', () => {
  const base = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 3, minNewTokens: 0 };
  const cases: [string, Parameters<typeof processLogits>[1], typeof base, boolean][] = [
    ['defaults', { history: [0, 3], eosTokenIds: [1] }, base, false],
    ['repetition penalty', { history: [0, 3], eosTokenIds: [1] }, { ...base, repetitionPenalty: 2 }, true],
    ['no-repeat n-gram', { history: [0, 3, 0], eosTokenIds: [1] }, { ...base, noRepeatNgramSize: 2 }, true],
    ['bad words', { history: [0], eosTokenIds: [1], badWordsIds: [[2]] }, base, true],
    ['no bad words', { history: [0], eosTokenIds: [1], badWordsIds: [] }, base, false],
    ['min new tokens not reached', { history: [0], eosTokenIds: [1] }, { ...base, minNewTokens: 1 }, true],
    ['min new tokens reached', { history: [0, 3], eosTokenIds: [1] }, { ...base, minNewTokens: 1 }, false],
    ['forced BOS first', { history: [0], eosTokenIds: [1], forced: { bosTokenId: 2 } }, base, true],
    ['forced BOS later', { history: [0, 2], eosTokenIds: [1], forced: { bosTokenId: 2 } }, base, false],
    ['forced EOS last', { history: [0, 2, 3], eosTokenIds: [1], forced: { eosTokenIds: [1] } }, base, true],
    ['forced EOS earlier', { history: [0, 2], eosTokenIds: [1], forced: { eosTokenIds: [1] } }, base, false],
  ];
  for (const [name, row, params, expected] of cases) {
    const scores = Float32Array.from([0.5, 1.5, 2.5, 3.5]);
    processLogits(scores, row, params);
    const changed = scores.some((score, index) => score !== [0.5, 1.5, 2.5, 3.5][index]);
    assert.equal(changed, expected, `${name}: processLogits changed scores`);
    assert.equal(processorsApply(row, params), expected, `${name}: processorsApply`);
  }
});
