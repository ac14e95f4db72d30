import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChoiceSequences } from './choice-sequences.js';

describe('ChoiceSequences', () => {
  it('joins stream deltas per choice, in choice order, with finish reasons and log-probabilities', () => {
    const built = new ChoiceSequences(() => new RangeError('no ids'));
    built.append({ index: 1, token_ids: [7], logprobs: { token_logprobs: [-1] } });
    built.append({ index: 0, token_ids: [4], logprobs: { token_logprobs: [-0.5] } });
    built.append({ index: 0, token_ids: [1], logprobs: { token_logprobs: [-0.25] }, finish_reason: 'stop', stop_reason: null });
    built.append({ index: 1, token_ids: [8], finish_reason: 'stop', stop_reason: '\n' });
    assert.deepEqual(built.sequences(true), [
      { tokenIds: [4, 1], finishReason: 'eos', tokenLogProbs: [-0.5, -0.25], cumLogProb: -0.75 },
      { tokenIds: [7, 8], finishReason: 'stop', tokenLogProbs: [-1], cumLogProb: -1 },
    ]);
  });

  it('length stays length; a final chunk without ids is fine; a choice that never carries ids (or none at all) is refused', () => {
    const built = new ChoiceSequences(() => new RangeError('no ids'));
    built.append({ index: 0, token_ids: [3, 3] });
    built.append({ index: 0, finish_reason: 'length' });
    assert.deepEqual(built.sequences(false), [{ tokenIds: [3, 3], finishReason: 'length' }]);
    const textOnly = new ChoiceSequences(() => new RangeError('no ids'));
    textOnly.append({ index: 0, token_ids: null, finish_reason: 'stop' });
    assert.throws(() => textOnly.sequences(false), RangeError);
    assert.throws(() => new ChoiceSequences(() => new RangeError('no ids')).sequences(false), RangeError);
  });
});
