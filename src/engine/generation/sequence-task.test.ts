import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerationParams, TokenEvent } from '../backend.js';
import { HF_GENERATION_DEFAULTS } from './__fixtures__/hf-defaults.js';
import { SequenceTask } from './sequence-task.js';

const ids = { decoderStartTokenId: 0, eosTokenId: 1 };

/** Logits over 4 tokens that favour `token`. */
function favour(...tokens: number[]): Float32Array {
  const logits = new Float32Array(tokens.length * 4);
  tokens.forEach((token, row) => (logits[row * 4 + token] = 5));
  return logits;
}

function task(params: Partial<GenerationParams>, onToken?: (event: TokenEvent) => void): SequenceTask {
  return new SequenceTask({ params: { ...HF_GENERATION_DEFAULTS, ...params }, ids, ...(onToken ? { onToken } : {}), returnLogProbs: true });
}

test('greedy takes the argmax, streams each token, and stops on </s> (kept in the output)', () => {
  const events: TokenEvent[] = [];
  const greedy = task({ maxNewTokens: 10 }, (event) => events.push(event));
  assert.deepEqual(greedy.advance(favour(3), 0, 4), { finished: false, sourceRows: [0], nextTokens: [3] });
  assert.equal(greedy.advance(favour(1), 0, 4).finished, true);
  const [sequence] = greedy.result();
  assert.deepEqual(sequence.tokenIds, [3, 1]);
  assert.equal(sequence.finishReason, 'eos');
  assert.deepEqual(
    events.map((event) => [event.tokenId, event.index]),
    [
      [3, 0],
      [1, 1],
    ],
  );
  assert.ok(events[0].logProb < 0 && events[0].logProb > -0.1);
});

test('max new tokens ends with finishReason length; min new tokens masks </s>', () => {
  const short = task({ maxNewTokens: 1 });
  assert.equal(short.advance(favour(2), 0, 4).finished, true);
  assert.equal(short.result()[0].finishReason, 'length');
  const forced = task({ maxNewTokens: 3, minNewTokens: 1 });
  forced.advance(favour(1), 0, 4);
  assert.notEqual(forced.result()[0].tokenIds[0], 1);
});

test('sampling rows finish independently and leave the batch at once', () => {
  const sampler = task({ doSample: true, numReturnSequences: 2, seed: 5, maxNewTokens: 4, topK: 1 });
  assert.equal(sampler.rowCount, 2);
  const step = sampler.advance(favour(1, 2), 0, 4);
  assert.deepEqual(step, { finished: false, sourceRows: [1], nextTokens: [2] });
  assert.equal(sampler.rowCount, 1);
});

test('decoder-only: the prompt opens the history (the repetition penalty sees it), tokenIds leave it out, min_new_tokens counts after it', () => {
  const params = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 3, repetitionPenalty: 10, minNewTokens: 1 };
  const causal = new SequenceTask({ params, ids: { ...ids, eosTokenIds: [1, 2], prompt: [3, 3] } });
  // Token 3 leads by a little, but it is in the prompt: HF divides its positive logit by the penalty.
  const logits = Float32Array.of(1, 4, 4, 2.5);
  assert.deepEqual(causal.advance(logits, 0, 4).nextTokens, [0], 'both EOS ids masked before min_new_tokens, 3 penalised');
  assert.equal(causal.advance(Float32Array.of(0, 0, 5, 0), 0, 4).finished, true, 'the second EOS id ends the row');
  assert.deepEqual(causal.result()[0]?.tokenIds, [0, 2]);
});

test('greedy reads the logits block without writing to it, processors or not, and its log-prob is the log-softmax of the pick', () => {
  const logits = Float32Array.from([0.25, 3, 1, -2, 2, 0.5, 4, -1]);
  const before = Float32Array.from(logits);
  const greedy = task({ maxNewTokens: 10, minNewTokens: 1 });
  // Row 0 of this task is row 1 of the block; </s> (1) is masked on the first step only.
  assert.deepEqual(greedy.advance(logits, 1, 4).nextTokens, [2]);
  assert.equal(greedy.advance(logits, 0, 4).finished, true);
  assert.deepEqual(logits, before);
  const [sequence] = greedy.result();
  assert.deepEqual(sequence.tokenIds, [2, 1]);
  // HF: log_softmax of the processed row (</s> at -inf on the first step), then the chosen entry.
  const [first, second] = sequence.tokenLogProbs ?? [];
  assert.ok(Math.abs(first - (4 - Math.log(Math.exp(2) + Math.exp(4) + Math.exp(-1)))) < 1e-12);
  assert.ok(Math.abs(second - (3 - Math.log(Math.exp(0.25) + Math.exp(3) + Math.exp(1) + Math.exp(-2)))) < 1e-12);
});
