import { join } from 'node:path';
import { z } from 'zod';
import { modelError, renderValue } from './errors.js';
import { parseWithSchema, readJsonFile } from './json-file.js';

/** HF `feed_forward_proj`: T5 v1.0 uses `relu`, T5 v1.1 / Flan-T5 `gated-gelu`. */
export type FeedForwardProj = 'relu' | 'gated-gelu' | 'gelu' | 'gated-relu';

/** The T5 hyper-parameters of a Hugging Face `config.json`, HF defaults filled in. */
export interface T5Config {
  /** `model_type`; always 't5' here (anything else is refused). */
  readonly modelType: string;
  readonly vocabSize: number;
  readonly dModel: number;
  readonly dKv: number;
  readonly dFf: number;
  readonly numHeads: number;
  readonly numLayers: number;
  /** Decoder blocks; `num_layers` when config.json does not say. */
  readonly numDecoderLayers: number;
  readonly feedForwardProj: FeedForwardProj;
  readonly isGatedAct: boolean;
  /** Activation of the FFN; HF maps 'gated-gelu' to `gelu_new` (tanh approximation). */
  readonly denseActFn: 'relu' | 'gelu_new' | 'gelu';
  readonly tieWordEmbeddings: boolean;
  readonly relativeAttentionNumBuckets: number;
  readonly relativeAttentionMaxDistance: number;
  readonly layerNormEpsilon: number;
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  /** config.json as parsed, for writers that copy it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

const positiveInt = z
  .number({ error: 'a positive integer' })
  .int({ error: 'a positive integer' })
  .positive({ error: 'a positive integer' });
const tokenId = z
  .number({ error: 'a token id (integer >= 0)' })
  .int({ error: 'a token id (integer >= 0)' })
  .nonnegative({ error: 'a token id (integer >= 0)' });
// HF writes eos_token_id as an int; some configs hold a list, whose first id is the one T5 ends on.
const tokenIdOrList = z.union([tokenId, z.array(tokenId).min(1)], { error: 'a token id or a non-empty list of token ids' });

/** config.json fields we read, with the defaults of transformers' T5Config. */
export const t5ConfigJsonSchema = z
  .object({
    model_type: z.string(),
    vocab_size: positiveInt.default(32128),
    d_model: positiveInt.default(512),
    d_kv: positiveInt.default(64),
    d_ff: positiveInt.default(2048),
    num_heads: positiveInt.default(8),
    num_layers: positiveInt.default(6),
    num_decoder_layers: positiveInt.nullable().optional(),
    feed_forward_proj: z.enum(['relu', 'gated-gelu', 'gelu', 'gated-relu']).default('relu'),
    dense_act_fn: z.enum(['relu', 'gelu_new', 'gelu']).optional(),
    is_gated_act: z.boolean({ error: 'true or false' }).optional(),
    tie_word_embeddings: z.boolean({ error: 'true or false' }).default(true),
    relative_attention_num_buckets: positiveInt.default(32),
    relative_attention_max_distance: positiveInt.default(128),
    layer_norm_epsilon: z.number({ error: 'a positive number' }).positive({ error: 'a positive number' }).default(1e-6),
    decoder_start_token_id: tokenId.nullable().optional(),
    eos_token_id: tokenIdOrList.default(1),
    pad_token_id: tokenId.default(0),
  })
  .loose();

/** Reads and validates `<dir>/config.json`; MODEL_UNSUPPORTED unless `model_type` is 't5'. */
export async function readT5Config(dir: string): Promise<T5Config> {
  const file = join(dir, 'config.json');
  const value = await readJsonFile(file, { expected: 'a Hugging Face config.json' });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw modelError('MODEL_CONFIG_INVALID', 'config.json must hold a JSON object', {
      file,
      given: renderValue(value),
      expected: 'an object',
    });
  }
  const raw = value as Record<string, unknown>;
  if (raw['model_type'] !== 't5') {
    throw modelError('MODEL_UNSUPPORTED', 'unsupported model type', {
      file,
      field: 'model_type',
      given: renderValue(raw['model_type']),
      expected: '"t5" (T5 and Flan-T5 checkpoints)',
    });
  }
  return toT5Config(parseWithSchema(t5ConfigJsonSchema, raw, file), raw);
}

function toT5Config(json: z.output<typeof t5ConfigJsonSchema>, raw: Record<string, unknown>): T5Config {
  // transformers' T5Config: act = last part of feed_forward_proj, gated when it starts with 'gated'.
  const derivedAct = json.feed_forward_proj === 'gated-gelu' ? 'gelu_new' : json.feed_forward_proj.endsWith('gelu') ? 'gelu' : 'relu';
  const eosTokenId = typeof json.eos_token_id === 'number' ? json.eos_token_id : (json.eos_token_id[0] ?? 1);
  return Object.freeze({
    modelType: json.model_type,
    vocabSize: json.vocab_size,
    dModel: json.d_model,
    dKv: json.d_kv,
    dFf: json.d_ff,
    numHeads: json.num_heads,
    numLayers: json.num_layers,
    numDecoderLayers: json.num_decoder_layers ?? json.num_layers,
    feedForwardProj: json.feed_forward_proj,
    // Explicit dense_act_fn / is_gated_act in config.json win, as they do in transformers.
    isGatedAct: json.is_gated_act ?? json.feed_forward_proj.startsWith('gated-'),
    denseActFn: json.dense_act_fn ?? derivedAct,
    tieWordEmbeddings: json.tie_word_embeddings,
    relativeAttentionNumBuckets: json.relative_attention_num_buckets,
    relativeAttentionMaxDistance: json.relative_attention_max_distance,
    layerNormEpsilon: json.layer_norm_epsilon,
    decoderStartTokenId: json.decoder_start_token_id ?? json.pad_token_id,
    eosTokenId,
    padTokenId: json.pad_token_id,
    raw: Object.freeze({ ...raw }),
  });
}
