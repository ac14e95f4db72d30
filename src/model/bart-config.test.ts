import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { bartConfigFrom, readBartConfig } from './bart-config.js';

const DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'seq2seq', 'bart-tiny');
const MARIAN_DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'seq2seq', 'marian-tiny');

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

  it('reads marian-tiny: sinusoidal positions without offset, no layernorm_embedding, x8 embeddings, swish, shared vocabulary', async () => {
    const config = await readBartConfig(MARIAN_DIR);
    assert.deepEqual([config.family, config.modelType], ['bart', 'marian']);
    assert.deepEqual([config.positionEmbedding, config.positionOffset, config.layerNormEmbedding], ['sinusoidal', 0, false]);
    assert.deepEqual([config.embedScale, config.activation, config.layerNormEpsilon], [8, 'swish', 1e-5]);
    assert.deepEqual(
      [config.vocabSize, config.encoderVocabSize, config.sharedEmbeddings, config.tieWordEmbeddings],
      [1647, 1647, true, true],
    );
    assert.deepEqual([config.decoderStartTokenId, config.eosTokenId, config.padTokenId], [1646, 0, 1646]);
  });

  it("Marian: MarianConfig's defaults, and separate vocabularies size the decoder by decoder_vocab_size", () => {
    const defaults = bartConfigFrom({ model_type: 'marian' }, 'config.json');
    assert.deepEqual(
      [defaults.vocabSize, defaults.decoderStartTokenId, defaults.padTokenId, defaults.eosTokenId],
      [58101, 58100, 58100, 0],
    );
    assert.deepEqual([defaults.embedScale, defaults.maxPositionEmbeddings, defaults.activation], [1, 1024, 'gelu']);
    const separate = bartConfigFrom(
      { model_type: 'marian', vocab_size: 100, decoder_vocab_size: 80, share_encoder_decoder_embeddings: false },
      'config.json',
    );
    assert.deepEqual([separate.encoderVocabSize, separate.vocabSize, separate.sharedEmbeddings], [100, 80, false]);
    const shared = bartConfigFrom({ model_type: 'marian', vocab_size: 100, decoder_vocab_size: 80 }, 'config.json');
    assert.deepEqual([shared.encoderVocabSize, shared.vocabSize], [100, 100]);
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
    refused({ model_type: 'marian', share_encoder_decoder_embeddings: 'yes' }, 'share_encoder_decoder_embeddings');
    refused({ model_type: 'marian', decoder_vocab_size: 0 }, 'decoder_vocab_size');
  });
});
