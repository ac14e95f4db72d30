import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { extraIdTokens, t5Specials } from './t5-special-tokens.js';

describe('T5 special tokens', () => {
  it('counts the extra ids down from the end of the vocabulary', () => {
    assert.deepEqual(extraIdTokens(3), ['<extra_id_2>', '<extra_id_1>', '<extra_id_0>']);
    const specials = t5Specials(['<pad>', '</s>', '<unk>', 'a', ...extraIdTokens(2)], 4, 'spiece.model');
    assert.deepEqual([specials.padTokenId, specials.eosTokenId, specials.unkTokenId], [0, 1, 2]);
    assert.deepEqual(
      specials.specialTokens.map((token) => [token.content, token.id, token.stripsSpaces]),
      [
        ['<pad>', 0, false],
        ['</s>', 1, false],
        ['<unk>', 2, false],
        ['<extra_id_1>', 4, true],
        ['<extra_id_0>', 5, true],
      ],
    );
  });
  it('rejects a vocabulary without T5 pieces', () => {
    assert.throws(
      () => t5Specials(['<s>', '</s>', '<unk>'], 3, 'spiece.model'),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_MODEL_INVALID',
    );
  });
});
