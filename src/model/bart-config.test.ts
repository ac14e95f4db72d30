import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { bartConfigFrom, readBartConfig } from './bart-config.js';

const DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'seq2seq', 'bart-tiny');

describe('BART config reader', () => {
  it('reads bart-tiny: decoder start = eos 2, pad 1, exact gelu, no embedding scale, offset 2', async () => {
    const config = await readBartConfig(DIR);
    assert.equal(config.family, 'bart');
    assert.deepEqual(
      [config.vocabSize, config.dModel, config.numLayers, config.numDecoderLayers, config.numHeads, config.dKv],
      [1261, 64, 2, 2, 4, 16],
    );
    assert.deepEqual([config.decoderStartTokenId, config.eosTokenId, config.padTokenId], [2, 2, 1]);
    assert.deepEqual([config.activation, config.embedScale, config.positionOffset, config.tieWordEmbeddings], ['gelu', 1, 2, true]);
  });

  it('scale_embedding gives sqrt(d_model); BartConfig defaults fill absent fields', () => {
    const config = bartConfigFrom({ model_type: 'bart', d_model: 64, scale_embedding: true }, 'config.json');
    assert.equal(config.embedScale, 8);
    assert.deepEqual([config.vocabSize, config.maxPositionEmbeddings, config.numLayers], [50265, 1024, 12]);
  });

  it('refuses heads that do not divide d_model and unknown activations, naming the field', () => {
    const refused = (value: unknown, field: string): void =>
      assert.throws(
        () => bartConfigFrom(value, 'config.json'),
        (error: unknown) => error instanceof LlmDeployError && error.code === 'MODEL_CONFIG_INVALID' && error.field === field,
      );
    refused({ model_type: 'bart', d_model: 64, decoder_attention_heads: 5 }, 'decoder_attention_heads');
    refused({ model_type: 'bart', activation_function: 'gelu_exact' }, 'activation_function');
  });
});
