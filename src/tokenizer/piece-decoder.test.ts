import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanUpTokenization, decodePieces, tokensToString } from './piece-decoder.js';
import { PieceType } from './sentencepiece/unigram-model.js';

const pieces = ['<pad>', '</s>', '<unk>', '\u2581', '\u2581a', 'b', '\u2581c'];
const table = {
  idOfPiece: new Map(pieces.map((piece, id) => [piece, id])),
  types: Uint8Array.from([PieceType.control, PieceType.control, PieceType.unknown, 1, 1, 1, 1]),
};

describe('decoding pieces the way HF T5Tokenizer does', () => {
  it('drops the leading ▁ of each piece while nothing is written yet (SentencePiece 0.1.97)', () => {
    assert.equal(decodePieces(['\u2581', '\u2581a', 'b', '\u2581c'], table), 'ab c');
    assert.equal(decodePieces(['</s>', '\u2581a'], table), 'a');
    assert.equal(decodePieces(['foreign\u2581piece'], table), 'foreign\u2581piece');
    assert.equal(decodePieces(['<unk>'], table), ' \u2047 ');
  });
  it('keeps special tokens verbatim with one space before a run of them', () => {
    const isSpecial = (token: string): boolean => token === '</s>' || token === '<pad>';
    assert.equal(tokensToString(['\u2581a', 'b', '</s>', '<pad>', '\u2581c', '</s>'], table, isSpecial), 'ab</s><pad> c</s>');
  });
  it('removes spaces before punctuation and contractions', () => {
    assert.equal(cleanUpTokenization("a , b . c ? d ! e n't f 's g ' h"), "a, b. c? d! en't f's g'h");
  });
});
