/**
 * config.json of GPT-2 and Phi checkpoints, with the defaults of transformers v4.36 `GPT2Config` /
 * `PhiConfig`, read into the decoder-only config shape. Options those models ship that change the math
 * and that the engine does not implement (GPT-2's inverse-layer-index scaling, Phi's qk layernorm) are refused.
 */
import { z } from 'zod';
import { causalConfigOf, commonKeys, positive, positiveInt, ropeScalingSchema, type CausalConfig } from './causal-config-parts.js';
import { parseWithSchema } from './json-file.js';

const flag = z.boolean({ error: 'true or false' });

const gpt2Schema = z
  .object({
    model_type: z.literal('gpt2'),
    vocab_size: positiveInt.default(50257),
    n_positions: positiveInt.default(1024),
    n_embd: positiveInt.default(768),
    n_layer: positiveInt.default(12),
    n_head: positiveInt.default(12),
    n_inner: positiveInt.nullish(),
    activation_function: z.literal('gelu_new', { error: '"gelu_new"' }).default('gelu_new'),
    layer_norm_epsilon: positive.default(1e-5),
    scale_attn_weights: z.literal(true, { error: 'true' }).default(true),
    scale_attn_by_inverse_layer_idx: z.literal(false, { error: 'false' }).default(false),
    tie_word_embeddings: flag.default(true),
    ...commonKeys,
  })
  .loose();

const phiSchema = z
  .object({
    model_type: z.literal('phi'),
    vocab_size: positiveInt.default(51200),
    hidden_size: positiveInt.default(2048),
    intermediate_size: positiveInt.default(8192),
    num_hidden_layers: positiveInt.default(24),
    num_attention_heads: positiveInt.default(32),
    num_key_value_heads: positiveInt.nullish(),
    hidden_act: z.literal('gelu_new', { error: '"gelu_new"' }).default('gelu_new'),
    max_position_embeddings: positiveInt.default(2048),
    layer_norm_eps: positive.default(1e-5),
    rope_theta: positive.default(10000),
    rope_scaling: ropeScalingSchema,
    partial_rotary_factor: positive.max(1, { error: 'a number in (0, 1]' }).default(0.5),
    qk_layernorm: z.literal(false, { error: 'false' }).default(false),
    tie_word_embeddings: flag.default(false),
    ...commonKeys,
  })
  .loose();

const LAYER_NORM_STYLE = { norm: 'layer', mlp: 'gelu_new' } as const;

function gpt2Config(raw: Record<string, unknown>, file: string): CausalConfig {
  const json = parseWithSchema(gpt2Schema, raw, file);
  const keys = { hidden_size: json.n_embd, num_hidden_layers: json.n_layer, num_attention_heads: json.n_head };
  return causalConfigOf({
    json: { ...json, ...keys },
    raw,
    file,
    style: Object.freeze({ ...LAYER_NORM_STYLE, parallel: false, learnedPositions: true }),
    defaultIds: { bos: 50256, eos: 50256 },
    fields: () => ({
      intermediateSize: json.n_inner ?? 4 * json.n_embd,
      normEpsilon: json.layer_norm_epsilon,
      ropeTheta: 10000,
      rotaryDim: 0,
      maxPositionEmbeddings: json.n_positions,
      tieWordEmbeddings: json.tie_word_embeddings,
      attentionBias: true,
    }),
  });
}

function phiConfig(raw: Record<string, unknown>, file: string): CausalConfig {
  const json = parseWithSchema(phiSchema, raw, file);
  return causalConfigOf({
    json,
    raw,
    file,
    style: Object.freeze({ ...LAYER_NORM_STYLE, parallel: true, learnedPositions: false }),
    defaultIds: { bos: 1, eos: 2 },
    ropeScaling: json.rope_scaling,
    fields: (shape) => {
      // transformers: rotary_ndims = int(partial_rotary_factor * head_dim)
      const rotaryDim = Math.floor(json.partial_rotary_factor * shape.headDim);
      return {
        intermediateSize: json.intermediate_size,
        normEpsilon: json.layer_norm_eps,
        ropeTheta: json.rope_theta,
        rotaryDim: rotaryDim - (rotaryDim % 2),
        maxPositionEmbeddings: json.max_position_embeddings,
        tieWordEmbeddings: json.tie_word_embeddings,
        attentionBias: true,
      };
    },
  });
}

/** Readers of the decoder-only model types whose config.json does not follow Llama's key names. */
export const OTHER_READERS: Readonly<Record<string, (raw: Record<string, unknown>, file: string) => CausalConfig>> = {
  gpt2: gpt2Config,
  phi: phiConfig,
};
