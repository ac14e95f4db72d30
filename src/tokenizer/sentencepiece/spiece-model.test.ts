import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { fixtureDir } from '../fixture-cases.test.js';
import { encodeVarint, writeFields } from './protobuf-wire.js';
import { parseSpieceModel, withoutDummyPrefix } from './spiece-model.js';
import { PieceType } from './unigram-model.js';

describe('spiece.model', () => {
  const file = join(fixtureDir('t5-tiny-relu'), 'spiece.model');
  const bytes = readFileSync(file);

  it('reads the fixture: 2000 pieces, T5 control pieces, nmt_nfkc charsmap, default whitespace flags', () => {
    const model = parseSpieceModel(bytes, file);
    assert.equal(model.pieces.length, 2000);
    assert.deepEqual(model.pieces.slice(0, 3), ['<pad>', '</s>', '<unk>']);
    assert.deepEqual([...model.types.slice(0, 4)], [PieceType.control, PieceType.control, PieceType.unknown, PieceType.normal]);
    assert.equal(model.unkId, 2);
    assert.ok(model.normalizer.precompiledCharsmap.length > 100_000);
    assert.deepEqual(
      [model.normalizer.addDummyPrefix, model.normalizer.removeExtraWhitespaces, model.normalizer.escapeWhitespaces],
      [true, true, true],
    );
  });
  it('writes the legacy=false variant: only add_dummy_prefix changes', () => {
    const original = parseSpieceModel(bytes, file);
    const variant = parseSpieceModel(withoutDummyPrefix(bytes), file);
    assert.equal(variant.normalizer.addDummyPrefix, false);
    assert.deepEqual(variant.pieces, original.pieces);
    assert.deepEqual(variant.scores, original.scores);
    assert.ok(Buffer.from(variant.normalizer.precompiledCharsmap).equals(original.normalizer.precompiledCharsmap));
  });
  it('rejects BPE models as unsupported', () => {
    const piece = writeFields([
      { number: 1, wireType: 2, bytes: new TextEncoder().encode('<unk>') },
      { number: 3, wireType: 0, value: 2, bytes: encodeVarint(2) },
    ]);
    const trainer = writeFields([{ number: 3, wireType: 0, value: 2, bytes: encodeVarint(2) }]);
    const model = writeFields([
      { number: 1, wireType: 2, bytes: piece },
      { number: 2, wireType: 2, bytes: trainer },
    ]);
    assert.throws(
      () => parseSpieceModel(model, 'bpe.model'),
      (error: unknown) =>
        LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_MODEL_UNSUPPORTED' && error.field === 'trainer_spec.model_type',
    );
  });
});
