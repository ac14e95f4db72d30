import { z } from 'zod';
import { modelError, renderValue } from './errors.js';
import { parseWithSchema, readConfigJson } from './json-file.js';

/**
 * The activations transformers 4.36's ACT2FN knows (src/transformers/activations.py, ACT2CLS):
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/activations.py
 */
export const DENSE_ACTIVATIONS = [
  'gelu',
  'gelu_10',
  'gelu_fast',
  'gelu_new',
  'gelu_python',
  'gelu_pytorch_tanh',
  'gelu_accurate',
  'laplace',
  'leaky_relu',
  'linear',
  'mish',
  'quick_gelu',
  'relu',
  'relu2',
  'relu6',
  'sigmoid',
  'silu',
  'swish',
  'tanh',
] as const;

/** One ACT2FN activation name. */
export type DenseActFn = (typeof DENSE_ACTIVATIONS)[number];

/** HF `feed_forward_proj`: `ACT` or `gated-ACT` (T5 v1.0 `relu`, T5 v1.1 / Flan-T5 `gated-gelu`, UL2 `gated-silu`). */
export type FeedForwardProj = DenseActFn | `gated-${DenseActFn}`;

/** The `model_type` values of the T5 layout: T5 / Flan-T5 / UL2 / ByT5, mT5, umT5 (per-layer relative bias). */
export const T5_MODEL_TYPES = ['t5', 'mt5', 'umt5'] as const;

/** One of {@link T5_MODEL_TYPES}. */
export type T5ModelType = (typeof T5_MODEL_TYPES)[number];

function isDenseActFn(value: string): value is DenseActFn {
  return (DENSE_ACTIVATIONS as readonly string[]).includes(value);
}

/**
 * transformers' T5Config reading of `feed_forward_proj`: the activation is the part after an optional
 * `gated-`, and `gated-gelu` alone means `gelu_new` (kept for backwards compatibility), while `gated-silu`
 * stays `silu`. Undefined when transformers would refuse it (wrong shape or an activation ACT2FN lacks).
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/t5/configuration_t5.py
 */
export function parseFeedForwardProj(
  projection: string,
): { readonly feedForwardProj: FeedForwardProj; readonly isGatedAct: boolean; readonly denseActFn: DenseActFn } | undefined {
  const parts = projection.split('-');
  const gated = parts[0] === 'gated';
  const act = parts.at(-1) ?? '';
  if ((parts.length > 1 && !gated) || parts.length > 2 || !isDenseActFn(act)) return undefined;
  const feedForwardProj: FeedForwardProj = gated ? `gated-${act}` : act;
  return { feedForwardProj, isGatedAct: gated, denseActFn: projection === 'gated-gelu' ? 'gelu_new' : act };
}

/** The T5 hyper-parameters of a Hugging Face `config.json`, HF defaults filled in. */
export interface T5Config {
  /** `model_type`; one of {@link T5_MODEL_TYPES} (anything else is refused). */
  readonly modelType: T5ModelType;
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
  readonly denseActFn: DenseActFn;
  readonly tieWordEmbeddings: boolean;
  /** umT5: every self-attention layer has its own relative attention bias (T5 and mT5: layer 0's, shared). */
  readonly relativeBiasPerLayer: boolean;
  readonly relativeAttentionNumBuckets: number;
  readonly relativeAttentionMaxDistance: number;
  readonly layerNormEpsilon: number;
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  /** config.json as parsed, for writers that copy it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A positive integer field of config.json. */
export const positiveInt = z
  .number({ error: 'a positive integer' })
  .int({ error: 'a positive integer' })
  .positive({ error: 'a positive integer' });
/** A token id field of config.json. */
export const tokenId = z
  .number({ error: 'a token id (integer >= 0)' })
  .int({ error: 'a token id (integer >= 0)' })
  .nonnegative({ error: 'a token id (integer >= 0)' });
// HF writes eos_token_id as an int; some configs hold a list, whose first id is the one T5 ends on.
const tokenIdOrList = z.union([tokenId, z.array(tokenId).min(1)], { error: 'a token id or a non-empty list of token ids' });

const FEED_FORWARD_FORMS = `ACT or gated-ACT with ACT one of ${DENSE_ACTIVATIONS.join(', ')} (as transformers' T5Config)`;

// MT5Config / UMT5Config defaults differ from T5Config's (mt5-small's sizes, gated-gelu; MT5Config unties the
// embeddings): https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/mt5/configuration_mt5.py
const MT5_DEFAULTS = {
  vocab_size: 250112,
  d_model: 512,
  d_kv: 64,
  d_ff: 1024,
  num_heads: 6,
  num_layers: 8,
  feed_forward_proj: 'gated-gelu',
};
const DEFAULTS: Readonly<Record<T5ModelType, Readonly<Record<string, unknown>>>> = {
  t5: { vocab_size: 32128, d_model: 512, d_kv: 64, d_ff: 2048, num_heads: 8, num_layers: 6, feed_forward_proj: 'relu' },
  mt5: { ...MT5_DEFAULTS, tie_word_embeddings: false },
  umt5: MT5_DEFAULTS,
};

/** config.json fields we read, with the defaults of transformers' T5Config (MT5Config, UMT5Config: see DEFAULTS). */
export const t5ConfigJsonSchema = z
  .object({
    model_type: z.enum(T5_MODEL_TYPES),
    vocab_size: positiveInt,
    d_model: positiveInt,
    d_kv: positiveInt,
    d_ff: positiveInt,
    num_heads: positiveInt,
    num_layers: positiveInt,
    num_decoder_layers: positiveInt.nullable().optional(),
    feed_forward_proj: z.string().transform((value, context) => {
      const parsed = parseFeedForwardProj(value);
      if (parsed === undefined) context.addIssue({ code: 'custom', message: FEED_FORWARD_FORMS });
      return parsed ?? z.NEVER;
    }),
    dense_act_fn: z.enum(DENSE_ACTIVATIONS, { error: `one of ${DENSE_ACTIVATIONS.join(', ')}` }).optional(),
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

/** Reads and validates `<dir>/config.json`; MODEL_UNSUPPORTED unless `model_type` is one of {@link T5_MODEL_TYPES}. */
export async function readT5Config(dir: string): Promise<T5Config> {
  const { file, raw } = await readConfigJson(dir);
  const modelType = T5_MODEL_TYPES.find((type) => type === raw['model_type']);
  if (modelType === undefined) {
    throw modelError('MODEL_UNSUPPORTED', 'unsupported model type', {
      file,
      field: 'model_type',
      given: renderValue(raw['model_type']),
      expected: `one of ${T5_MODEL_TYPES.map((type) => JSON.stringify(type)).join(', ')} (T5, Flan-T5, UL2, ByT5, mT5, umT5)`,
    });
  }
  return toT5Config(parseWithSchema(t5ConfigJsonSchema, { ...DEFAULTS[modelType], ...raw }, file), raw);
}

function toT5Config(json: z.output<typeof t5ConfigJsonSchema>, raw: Record<string, unknown>): T5Config {
  const derived = json.feed_forward_proj;
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
    feedForwardProj: derived.feedForwardProj,
    // Explicit dense_act_fn / is_gated_act in config.json win, as they do in transformers.
    isGatedAct: json.is_gated_act ?? derived.isGatedAct,
    denseActFn: json.dense_act_fn ?? derived.denseActFn,
    tieWordEmbeddings: json.tie_word_embeddings,
    relativeBiasPerLayer: json.model_type === 'umt5',
    relativeAttentionNumBuckets: json.relative_attention_num_buckets,
    relativeAttentionMaxDistance: json.relative_attention_max_distance,
    layerNormEpsilon: json.layer_norm_epsilon,
    decoderStartTokenId: json.decoder_start_token_id ?? json.pad_token_id,
    eosTokenId,
    padTokenId: json.pad_token_id,
    raw: Object.freeze({ ...raw }),
  });
}
