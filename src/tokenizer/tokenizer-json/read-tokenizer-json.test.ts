import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { fixtureDir } from '../fixture-cases.test.js';
import { PieceType } from '../sentencepiece/unigram-model.js';
import { readTokenizerJson } from './read-tokenizer-json.js';

const code =
  (expected: string) =>
  (error: unknown): boolean =>
    LlmDeployError.isInstance(error) && error.code === expected;

describe('readTokenizerJson', () => {
  it('reads the 32k T5 tokenizer.json: 32000 pieces + 100 extra ids, charsmap, specials as control pieces', () => {
    const file = join(fixtureDir('t5-vocab-32k'), 'tokenizer.json');
    const { model, pieceCount } = readTokenizerJson(JSON.parse(readFileSync(file, 'utf8')), file);
    assert.equal(pieceCount, 32000);
    assert.equal(model.pieces.length, 32100);
    assert.equal(model.pieces[32099], '<extra_id_0>');
    assert.deepEqual(
      [model.types[0], model.types[1], model.types[2], model.types[3], model.types[32000]],
      [PieceType.control, PieceType.control, PieceType.unknown, PieceType.normal, PieceType.control],
    );
    assert.ok(model.normalizer.precompiledCharsmap.length > 100_000);
    assert.equal(model.normalizer.addDummyPrefix, true);
  });
  it('rejects what SentencePiece T5 models never have', () => {
    const base = { model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0]] } };
    assert.throws(
      () => readTokenizerJson({ ...base, normalizer: { type: 'Lowercase' } }, 'tokenizer.json'),
      code('TOKENIZER_MODEL_UNSUPPORTED'),
    );
    assert.throws(
      () => readTokenizerJson({ ...base, pre_tokenizer: { type: 'ByteLevel' } }, 'tokenizer.json'),
      code('TOKENIZER_MODEL_UNSUPPORTED'),
    );
    assert.throws(() => readTokenizerJson({ model: { ...base.model, unk_id: null } }, 'tokenizer.json'), code('TOKENIZER_MODEL_INVALID'));
    const never = readTokenizerJson(
      { ...base, pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'never' } },
      'tokenizer.json',
    );
    assert.equal(never.model.normalizer.addDummyPrefix, false);
  });
});
