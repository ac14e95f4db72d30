import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readT5Config } from '../../model/index.js';
import { fixtureDir } from '../runtime/__fixtures__/t5-expected.js';
import { familyForModelType, MODEL_FAMILIES } from './registry.js';

describe('model family registry', () => {
  it('finds the family of a fixture config and reads its special tokens from config.json', async () => {
    const config = await readT5Config(fixtureDir('t5-tiny-gated'));
    const family = familyForModelType(config.modelType);
    assert.deepEqual(family.specialTokens(config), { decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 });
    assert.deepEqual(
      family.graphs.map((graph) => graph.file),
      ['encoder.onnx', 'decoder.onnx'],
    );
  });

  it('refuses an unknown model type with a 400 naming the supported ones', () => {
    assert.throws(
      () => familyForModelType('llama'),
      (error: unknown) => {
        assert.ok(error instanceof Error && 'code' in error && error.code === 'ENGINE_MODEL_UNSUPPORTED');
        assert.ok('httpStatus' in error && error.httpStatus === 400);
        return true;
      },
    );
    assert.ok(MODEL_FAMILIES.length >= 1);
  });
});
