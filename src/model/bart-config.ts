/**
 * BART's and Marian's config.json (transformers v4.36 BartConfig / MarianConfig), HF defaults filled in:
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/bart/configuration_bart.py
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/marian/configuration_marian.py
 * Marian is BART's post-LN layout without `layernorm_embedding`, with sinusoidal positions computed at load.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { modelError } from './errors.js';
import { jsonObject, parseWithSchema, readJsonFile } from './json-file.js';
import { DENSE_ACTIVATIONS, positiveInt, tokenId, type DenseActFn, type T5Config } from './t5-config.js';

/** The `model_type` values of the BART family. */
export const BART_MODEL_TYPES = ['bart'] as const;
/** The `model_type` values of the Marian family (BART's layout with the differences {@link BartConfig} lists). */
export const MARIAN_MODEL_TYPES = ['marian'] as const;
/** Every `model_type` this reader reads. */
export const BART_LAYOUT_MODEL_TYPES = [...BART_MODEL_TYPES, ...MARIAN_MODEL_TYPES] as const;

/** How the position rows are found: BART's learned table in the weights, Marian's sinusoids computed at load. */
export type PositionEmbedding = 'learned' | 'sinusoidal';

/** The hyper-parameters of a BART or Marian checkpoint (post-LayerNorm encoder-decoder). */
export interface BartConfig extends Pick<T5Config, 'layerNormEpsilon' | 'decoderStartTokenId' | 'eosTokenId' | 'padTokenId' | 'raw'> {
  readonly family: 'bart';
  readonly modelType: (typeof BART_LAYOUT_MODEL_TYPES)[number];
  /** The decoder's vocabulary: its embedding rows and the logits' width (Marian's `decoder_vocab_size` when not shared). */
  readonly vocabSize: number;
  /** The encoder's vocabulary (`vocab_size`); equal to {@link vocabSize} unless Marian's vocabularies are separate. */
  readonly encoderVocabSize: number;
  /** One embedding table for encoder, decoder (and the tied head); Marian's `share_encoder_decoder_embeddings`. */
  readonly sharedEmbeddings: boolean;
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
  readonly positionEmbedding: PositionEmbedding;
  /** Rows of the learned position tables that precede position 0 (BartLearnedPositionalEmbedding); 0 for sinusoids. */
  readonly positionOffset: number;
  /** A LayerNorm after embeddings + positions in both stacks (BART yes, Marian no). */
  readonly layerNormEmbedding: boolean;
  readonly tieWordEmbeddings: boolean;
}

/** The defaults of one config class (bart-large's sizes for BART, opus-mt's for Marian). */
interface ConfigDefaults {
  readonly vocabSize: number;
  readonly width: number;
  readonly maxPositions: number;
  readonly activation: DenseActFn;
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}

function configJsonSchema<T extends (typeof BART_LAYOUT_MODEL_TYPES)[number]>(modelType: T, defaults: ConfigDefaults) {
  return z
    .object({
      model_type: z.literal(modelType),
      vocab_size: positiveInt.default(defaults.vocabSize),
      d_model: positiveInt.default(defaults.width),
      encoder_layers: positiveInt.default(12),
      decoder_layers: positiveInt.default(12),
      encoder_attention_heads: positiveInt.default(16),
      decoder_attention_heads: positiveInt.default(16),
      encoder_ffn_dim: positiveInt.default(4096),
      decoder_ffn_dim: positiveInt.default(4096),
      activation_function: z.enum(DENSE_ACTIVATIONS, { error: `one of ${DENSE_ACTIVATIONS.join(', ')}` }).default(defaults.activation),
      scale_embedding: z.boolean({ error: 'true or false' }).default(false),
      max_position_embeddings: positiveInt.default(defaults.maxPositions),
      tie_word_embeddings: z.boolean({ error: 'true or false' }).default(true),
      decoder_start_token_id: tokenId.default(defaults.decoderStartTokenId),
      eos_token_id: tokenId.default(defaults.eosTokenId),
      pad_token_id: tokenId.default(defaults.padTokenId),
    })
    .loose();
}

/** config.json fields BART reads, with BartConfig's defaults (bart-large sizes). */
export const bartConfigJsonSchema = configJsonSchema('bart', {
  vocabSize: 50265,
  width: 1024,
  maxPositions: 1024,
  activation: 'gelu',
  decoderStartTokenId: 2,
  eosTokenId: 2,
  padTokenId: 1,
});

/** config.json fields Marian reads, with MarianConfig's defaults; `decoder_vocab_size` null or absent means `vocab_size`. */
export const marianConfigJsonSchema = configJsonSchema('marian', {
  vocabSize: 58101,
  width: 1024,
  maxPositions: 1024,
  activation: 'gelu',
  decoderStartTokenId: 58100,
  eosTokenId: 0,
  padTokenId: 58100,
}).extend({
  decoder_vocab_size: positiveInt.nullish(),
  share_encoder_decoder_embeddings: z.boolean({ error: 'true or false' }).default(true),
});

/** Reads `<dir>/config.json` as BART or Marian (by its `model_type`). */
export async function readBartConfig(dir: string): Promise<BartConfig> {
  const file = join(dir, 'config.json');
  return bartConfigFrom(await readJsonFile(file, { expected: 'a Hugging Face config.json' }), file);
}

/** A parsed config.json value as BART or Marian; MODEL_CONFIG_INVALID naming the field when a value is wrong. */
export function bartConfigFrom(value: unknown, file: string): BartConfig {
  const raw = jsonObject(value, file);
  const marianJson = raw['model_type'] === 'marian' ? parseWithSchema(marianConfigJsonSchema, raw, file) : undefined;
  const json = marianJson ?? parseWithSchema(bartConfigJsonSchema, raw, file);
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
  const marian = marianJson !== undefined;
  const sharedEmbeddings = marianJson?.share_encoder_decoder_embeddings ?? true;
  return Object.freeze({
    family: 'bart',
    modelType: json.model_type,
    // MarianMTModel: the head and final_logits_bias have decoder_vocab_size rows unless the embeddings are shared.
    vocabSize: sharedEmbeddings ? json.vocab_size : (marianJson?.decoder_vocab_size ?? json.vocab_size),
    encoderVocabSize: json.vocab_size,
    sharedEmbeddings,
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
    positionEmbedding: marian ? 'sinusoidal' : 'learned',
    positionOffset: marian ? 0 : 2,
    layerNormEmbedding: !marian,
    tieWordEmbeddings: json.tie_word_embeddings,
    // nn.LayerNorm's default: BART never sets another.
    layerNormEpsilon: 1e-5,
    decoderStartTokenId: json.decoder_start_token_id,
    eosTokenId: json.eos_token_id,
    padTokenId: json.pad_token_id,
    raw: Object.freeze(raw),
  });
}
