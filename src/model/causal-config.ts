/**
 * config.json of decoder-only checkpoints (Llama, Mistral), read into one shape with the defaults of
 * transformers v4.36 `LlamaConfig` / `MistralConfig` filled in.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { modelError, renderValue } from './errors.js';
import { parseWithSchema, readJsonFile } from './json-file.js';

/** RoPE scaling: `linear` divides positions by `factor`; `dynamic` (NTK) raises the base past `max_position_embeddings`. */
export interface RopeScaling {
  readonly kind: 'linear' | 'dynamic';
  readonly factor: number;
}

/** The hyper-parameters of a decoder-only checkpoint, HF defaults filled in. */
export interface CausalConfig {
  readonly architecture: 'decoder-only';
  /** `model_type` of config.json (`llama`, `mistral`). */
  readonly modelType: string;
  readonly architectures: readonly string[];
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Key/value heads (grouped-query attention when fewer than `numHeads`). */
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly normEpsilon: number;
  readonly ropeTheta: number;
  readonly ropeScaling?: RopeScaling;
  /** Leading dims of each head that are rotated (all of them for Llama). */
  readonly rotaryDim: number;
  readonly maxPositionEmbeddings: number;
  /** Mistral: a query at position i sees keys j with i - window < j <= i (4.36 eager mask). */
  readonly slidingWindow?: number;
  readonly tieWordEmbeddings: boolean;
  /** Biases on q, k, v and o projections. */
  readonly attentionBias: boolean;
  readonly bosTokenId?: number;
  /** The first of `eosTokenIds`. */
  readonly eosTokenId: number;
  readonly eosTokenIds: readonly number[];
  /** `pad_token_id`, else the EOS id (what 4.36 `generate` pads with when the config has no pad). */
  readonly padTokenId: number;
  /** Not used by decoder-only generation; the BOS (else EOS) id, so shared generation-config code has one. */
  readonly decoderStartTokenId: number;
  /** config.json as parsed. */
  readonly raw: Readonly<Record<string, unknown>>;
}

const positiveInt = z
  .number({ error: 'a positive integer' })
  .int({ error: 'a positive integer' })
  .positive({ error: 'a positive integer' });
const positive = z.number({ error: 'a positive number' }).positive({ error: 'a positive number' });
const tokenId = z
  .number({ error: 'a token id (integer >= 0)' })
  .int({ error: 'a token id (integer >= 0)' })
  .nonnegative({ error: 'a token id (integer >= 0)' });
const tokenIdOrList = z.union([tokenId, z.array(tokenId).min(1)], { error: 'a token id or a non-empty list of token ids' });

// transformers 4.36 writes {"type", "factor"}; newer files say "rope_type" (and "default" for none).
const ropeScalingSchema = z
  .object({
    type: z.string().optional(),
    rope_type: z.string().optional(),
    factor: positive.optional(),
  })
  .loose()
  .nullish();

/** The fields read, with LlamaConfig's defaults (MistralConfig's where they differ are applied by the reader). */
export const causalConfigJsonSchema = z
  .object({
    model_type: z.string(),
    architectures: z.array(z.string()).nullish(),
    vocab_size: positiveInt.default(32000),
    hidden_size: positiveInt.default(4096),
    intermediate_size: positiveInt.optional(),
    num_hidden_layers: positiveInt.default(32),
    num_attention_heads: positiveInt.default(32),
    num_key_value_heads: positiveInt.nullish(),
    head_dim: positiveInt.nullish(),
    hidden_act: z.literal('silu', { error: '"silu"' }).default('silu'),
    max_position_embeddings: positiveInt.optional(),
    rms_norm_eps: positive.default(1e-6),
    rope_theta: positive.default(10000),
    rope_scaling: ropeScalingSchema,
    sliding_window: positiveInt.nullish(),
    attention_bias: z.boolean({ error: 'true or false' }).default(false),
    tie_word_embeddings: z.boolean({ error: 'true or false' }).default(false),
    bos_token_id: tokenId.nullish(),
    eos_token_id: tokenIdOrList.nullish(),
    pad_token_id: tokenId.nullish(),
  })
  .loose();

/** `model_type` values this reader serves, with the defaults their transformers config classes differ in. */
const FAMILY_DEFAULTS: Readonly<Record<string, { intermediate: number; maxPositions: number; kvHeads?: number; window?: number }>> = {
  llama: { intermediate: 11008, maxPositions: 2048 },
  mistral: { intermediate: 14336, maxPositions: 4096 * 32, kvHeads: 8, window: 4096 },
};

/** `model_type` values {@link readCausalConfig} accepts. */
export const CAUSAL_MODEL_TYPES: readonly string[] = Object.keys(FAMILY_DEFAULTS);

/** Reads and validates a decoder-only `<dir>/config.json`; MODEL_UNSUPPORTED for other model types. */
export async function readCausalConfig(dir: string): Promise<CausalConfig> {
  const file = join(dir, 'config.json');
  const value = await readJsonFile(file, { expected: 'a Hugging Face config.json' });
  return causalConfigFrom(value, file);
}

/** {@link readCausalConfig} on an already-parsed config.json value. */
export function causalConfigFrom(value: unknown, file: string): CausalConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw modelError('MODEL_CONFIG_INVALID', 'config.json must hold a JSON object', {
      file,
      given: renderValue(value),
      expected: 'an object',
    });
  }
  const raw: Record<string, unknown> = { ...value };
  const modelType = raw['model_type'];
  const defaults = typeof modelType === 'string' ? FAMILY_DEFAULTS[modelType] : undefined;
  if (defaults === undefined) {
    throw modelError('MODEL_UNSUPPORTED', 'unsupported model type', {
      file,
      field: 'model_type',
      given: renderValue(modelType),
      expected: `one of ${CAUSAL_MODEL_TYPES.map((type) => JSON.stringify(type)).join(', ')}`,
    });
  }
  const json = parseWithSchema(causalConfigJsonSchema, raw, file);
  const numKvHeads = json.num_key_value_heads ?? defaults.kvHeads ?? json.num_attention_heads;
  const headDim = json.head_dim ?? json.hidden_size / json.num_attention_heads;
  if (!Number.isInteger(headDim) || json.num_attention_heads % numKvHeads !== 0) {
    throw modelError('MODEL_CONFIG_INVALID', 'attention heads do not divide the model', {
      file,
      field: 'num_key_value_heads',
      given: `hidden_size ${json.hidden_size}, ${json.num_attention_heads} heads, ${numKvHeads} kv heads`,
      expected: 'heads dividing hidden_size and a multiple of the kv heads',
    });
  }
  const eosTokenIds = json.eos_token_id == null ? [2] : typeof json.eos_token_id === 'number' ? [json.eos_token_id] : json.eos_token_id;
  const eosTokenId = eosTokenIds[0] ?? 2;
  const bos = json.bos_token_id ?? undefined;
  const window =
    modelType === 'mistral' ? (json.sliding_window === undefined ? defaults.window : (json.sliding_window ?? undefined)) : undefined;
  const ropeScaling = ropeScalingOf(json.rope_scaling, file);
  return Object.freeze({
    architecture: 'decoder-only',
    modelType: json.model_type,
    architectures: json.architectures ?? [],
    vocabSize: json.vocab_size,
    hiddenSize: json.hidden_size,
    numLayers: json.num_hidden_layers,
    numHeads: json.num_attention_heads,
    numKvHeads,
    headDim,
    intermediateSize: json.intermediate_size ?? defaults.intermediate,
    normEpsilon: json.rms_norm_eps,
    ropeTheta: json.rope_theta,
    ...(ropeScaling === undefined ? {} : { ropeScaling }),
    rotaryDim: headDim,
    maxPositionEmbeddings: json.max_position_embeddings ?? defaults.maxPositions,
    ...(window === undefined ? {} : { slidingWindow: window }),
    tieWordEmbeddings: json.tie_word_embeddings,
    attentionBias: json.attention_bias,
    ...(bos === undefined ? {} : { bosTokenId: bos }),
    eosTokenId,
    eosTokenIds: Object.freeze([...eosTokenIds]),
    padTokenId: json.pad_token_id ?? eosTokenId,
    decoderStartTokenId: bos ?? eosTokenId,
    raw: Object.freeze(raw),
  });
}

function ropeScalingOf(scaling: z.output<typeof ropeScalingSchema>, file: string): RopeScaling | undefined {
  if (scaling == null) return undefined;
  const kind = scaling.rope_type ?? scaling.type;
  if (kind === 'default') return undefined;
  if ((kind === 'linear' || kind === 'dynamic') && scaling.factor !== undefined) return { kind, factor: scaling.factor };
  throw modelError('MODEL_UNSUPPORTED', 'unsupported rope_scaling', {
    file,
    field: 'rope_scaling',
    given: renderValue(scaling),
    expected: '{"type" or "rope_type": "linear" or "dynamic", "factor": a number > 0}',
  });
}
