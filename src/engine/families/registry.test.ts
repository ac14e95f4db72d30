import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { causalConfigFrom, readBartConfig, readCausalConfig, readT5Config, SERVED_MODEL_TYPES } from '../../model/index.js';
import { causalFixtureDir } from '../runtime/__fixtures__/causal-expected.js';
import { fixtureDir } from '../runtime/__fixtures__/t5-expected.js';
import { familyForConfig, familyForModelType, MODEL_FAMILIES } from './registry.js';

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
      () => familyForModelType('bert'),
      (error: unknown) => {
        assert.ok(error instanceof Error && 'code' in error && error.code === 'ENGINE_MODEL_UNSUPPORTED');
        assert.ok('httpStatus' in error && error.httpStatus === 400);
        assert.ok('expected' in error && typeof error.expected === 'string');
        for (const family of MODEL_FAMILIES) assert.ok(error.expected.includes(family.name), error.expected);
        return true;
      },
    );
    assert.ok(MODEL_FAMILIES.length >= 1);
  });

  it('serves exactly the model types whose config.json the model module reads', () => {
    assert.deepEqual(MODEL_FAMILIES.flatMap((family) => family.modelTypes).sort(), [...SERVED_MODEL_TYPES].sort());
  });

  it('picks the llama family for Llama and Mistral checkpoints, and refuses a class it does not serve', async () => {
    for (const name of ['llama-gqa', 'mistral-swa']) {
      const family = familyForConfig(await readCausalConfig(causalFixtureDir(name)));
      assert.equal(family.name, 'llama');
      assert.equal(family.architecture, 'decoder-only');
    }
    const classifier = causalConfigFrom({ model_type: 'llama', architectures: ['LlamaForSequenceClassification'] }, 'config.json');
    assert.throws(
      () => familyForConfig(classifier),
      (error: unknown) =>
        error instanceof Error &&
        'code' in error &&
        error.code === 'ENGINE_MODEL_UNSUPPORTED' &&
        'httpStatus' in error &&
        error.httpStatus === 400,
    );
  });

  it('picks the marian family for marian-tiny (MarianMTModel), with its token ids: decoder start = pad = the last id', async () => {
    const config = await readBartConfig(join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'seq2seq', 'marian-tiny'));
    const family = familyForConfig(config);
    assert.equal(family.name, 'marian');
    assert.equal(family.architecture, 'encoder-decoder');
    assert.deepEqual(family.specialTokens(config), { decoderStartTokenId: 1646, eosTokenId: 0, padTokenId: 1646 });
    assert.throws(
      () => familyForModelType('marian-mt'),
      (error: unknown) => error instanceof Error && 'expected' in error && String(error.expected).includes('marian (model_type marian)'),
    );
  });
});
