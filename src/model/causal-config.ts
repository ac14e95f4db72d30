/**
 * config.json of decoder-only checkpoints (Llama, Mistral here; Phi and GPT-2 in their own reader), read
 * into one shape with the defaults of transformers v4.36 `LlamaConfig` / `MistralConfig` filled in.
 */
import { z } from 'zod';
import { OTHER_READERS } from './causal-config-gpt2-phi.js';
import {
  causalConfigOf,
  commonKeys,
  positive,
  positiveInt,
  ropeScalingSchema,
  type CausalBlockStyle,
  type CausalConfig,
} from './causal-config-parts.js';
import { modelError, renderValue } from './errors.js';
import { jsonObject, parseWithSchema, readConfigJson } from './json-file.js';

export type { CausalBlockStyle, CausalConfig, RopeScaling } from './causal-config-parts.js';

/** The fields read, with LlamaConfig's defaults (MistralConfig's where they differ are applied by the reader). */
export const causalConfigJsonSchema = z
  .object({
    model_type: z.string(),
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
    ...commonKeys,
  })
  .loose();

/** `model_type` values this reader serves, with the defaults their transformers config classes differ in. */
const FAMILY_DEFAULTS: Readonly<Record<string, { intermediate: number; maxPositions: number; kvHeads?: number; window?: number }>> = {
  llama: { intermediate: 11008, maxPositions: 2048 },
  mistral: { intermediate: 14336, maxPositions: 4096 * 32, kvHeads: 8, window: 4096 },
};

/** `model_type` values {@link readCausalConfig} accepts. */
export const CAUSAL_MODEL_TYPES: readonly string[] = [...Object.keys(FAMILY_DEFAULTS), ...Object.keys(OTHER_READERS)];

/** The Llama block style. */
export const LLAMA_STYLE: CausalBlockStyle = Object.freeze({ norm: 'rms', mlp: 'swiglu', parallel: false, learnedPositions: false });

/** Reads and validates a decoder-only `<dir>/config.json`; MODEL_UNSUPPORTED for other model types. */
export async function readCausalConfig(dir: string): Promise<CausalConfig> {
  const { file, raw } = await readConfigJson(dir);
  return causalConfigFrom(raw, file);
}

/** {@link readCausalConfig} on an already-parsed config.json value. */
export function causalConfigFrom(value: unknown, file: string): CausalConfig {
  const raw = jsonObject(value, file);
  const modelType = raw['model_type'];
  const other = typeof modelType === 'string' ? OTHER_READERS[modelType] : undefined;
  if (other !== undefined) return other(raw, file);
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
  const window =
    modelType === 'mistral' ? (json.sliding_window === undefined ? defaults.window : (json.sliding_window ?? undefined)) : undefined;
  return causalConfigOf({
    json,
    raw,
    file,
    style: LLAMA_STYLE,
    defaultIds: { bos: 1, eos: 2 },
    defaultKvHeads: defaults.kvHeads,
    ropeScaling: json.rope_scaling,
    fields: (shape) => ({
      intermediateSize: json.intermediate_size ?? defaults.intermediate,
      normEpsilon: json.rms_norm_eps,
      ropeTheta: json.rope_theta,
      rotaryDim: shape.headDim,
      maxPositionEmbeddings: json.max_position_embeddings ?? defaults.maxPositions,
      slidingWindow: window,
      tieWordEmbeddings: json.tie_word_embeddings,
      attentionBias: json.attention_bias,
    }),
  });
}
