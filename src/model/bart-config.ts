/**
 * BART's config.json (transformers v4.36 BartConfig), HF defaults filled in:
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/bart/configuration_bart.py
 */
import { join } from 'node:path';
import { z } from 'zod';
import { modelError } from './errors.js';
import { jsonObject, parseWithSchema, readJsonFile } from './json-file.js';
import { DENSE_ACTIVATIONS, positiveInt, tokenId, type DenseActFn, type T5Config } from './t5-config.js';

/** The `model_type` values read as BART. */
export const BART_MODEL_TYPES = ['bart'] as const;

/** The hyper-parameters of a BART checkpoint (post-LayerNorm encoder-decoder, learned positions offset by 2). */
export interface BartConfig extends Pick<T5Config, 'layerNormEpsilon' | 'decoderStartTokenId' | 'eosTokenId' | 'padTokenId' | 'raw'> {
  readonly family: 'bart';
  readonly modelType: (typeof BART_MODEL_TYPES)[number];
  readonly vocabSize: number;
  readonly dModel: number;
  readonly numLayers: number;
  readonly numDecoderLayers: number;
  readonly encoderHeads: number;
  /** Decoder self- and cross-attention heads (the cache geometry). */
  readonly numHeads: number;
  /** Head size of the decoder (`d_model / decoder_attention_heads`), the cache's dKv. */
  readonly dKv: number;
  readonly encoderFfnDim: number;
  readonly decoderFfnDim: number;
  readonly activation: DenseActFn;
  /** Multiplier of the token embeddings: sqrt(d_model) with `scale_embedding`, else 1. */
  readonly embedScale: number;
  readonly maxPositionEmbeddings: number;
  /** Rows of the learned position tables that precede position 0 (BartLearnedPositionalEmbedding). */
  readonly positionOffset: number;
  readonly tieWordEmbeddings: boolean;
}

/** config.json fields BART reads, with BartConfig's defaults (bart-large sizes). */
export const bartConfigJsonSchema = z
  .object({
    model_type: z.enum(BART_MODEL_TYPES),
    vocab_size: positiveInt.default(50265),
    d_model: positiveInt.default(1024),
    encoder_layers: positiveInt.default(12),
    decoder_layers: positiveInt.default(12),
    encoder_attention_heads: positiveInt.default(16),
    decoder_attention_heads: positiveInt.default(16),
    encoder_ffn_dim: positiveInt.default(4096),
    decoder_ffn_dim: positiveInt.default(4096),
    activation_function: z.enum(DENSE_ACTIVATIONS, { error: `one of ${DENSE_ACTIVATIONS.join(', ')}` }).default('gelu'),
    scale_embedding: z.boolean({ error: 'true or false' }).default(false),
    max_position_embeddings: positiveInt.default(1024),
    tie_word_embeddings: z.boolean({ error: 'true or false' }).default(true),
    decoder_start_token_id: tokenId.default(2),
    eos_token_id: tokenId.default(2),
    pad_token_id: tokenId.default(1),
  })
  .loose();

/** Reads `<dir>/config.json` as BART. */
export async function readBartConfig(dir: string): Promise<BartConfig> {
  const file = join(dir, 'config.json');
  return bartConfigFrom(await readJsonFile(file, { expected: 'a Hugging Face config.json' }), file);
}

/** A parsed config.json value as BART; MODEL_CONFIG_INVALID naming the field when a value is wrong. */
export function bartConfigFrom(value: unknown, file: string): BartConfig {
  const raw = jsonObject(value, file);
  const json = parseWithSchema(bartConfigJsonSchema, raw, file);
  for (const [field, heads] of [
    ['encoder_attention_heads', json.encoder_attention_heads],
    ['decoder_attention_heads', json.decoder_attention_heads],
  ] as const) {
    if (json.d_model % heads !== 0) {
      throw modelError('MODEL_CONFIG_INVALID', 'd_model must be a multiple of the attention heads', {
        file,
        field,
        given: String(heads),
        expected: `a divisor of d_model ${json.d_model}`,
      });
    }
  }
  return Object.freeze({
    family: 'bart',
    modelType: json.model_type,
    vocabSize: json.vocab_size,
    dModel: json.d_model,
    numLayers: json.encoder_layers,
    numDecoderLayers: json.decoder_layers,
    encoderHeads: json.encoder_attention_heads,
    numHeads: json.decoder_attention_heads,
    dKv: json.d_model / json.decoder_attention_heads,
    encoderFfnDim: json.encoder_ffn_dim,
    decoderFfnDim: json.decoder_ffn_dim,
    activation: json.activation_function,
    embedScale: json.scale_embedding ? Math.sqrt(json.d_model) : 1,
    maxPositionEmbeddings: json.max_position_embeddings,
    positionOffset: 2,
    tieWordEmbeddings: json.tie_word_embeddings,
    // nn.LayerNorm's default: BART never sets another.
    layerNormEpsilon: 1e-5,
    decoderStartTokenId: json.decoder_start_token_id,
    eosTokenId: json.eos_token_id,
    padTokenId: json.pad_token_id,
    raw: Object.freeze(raw),
  });
}
