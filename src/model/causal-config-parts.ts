/** The shape every decoder-only config reader fills in, and the schema pieces the readers share. */
import { z } from 'zod';
import { modelError, renderValue } from './errors.js';

/** RoPE scaling: `linear` divides positions by `factor`; `dynamic` (NTK) raises the base past `max_position_embeddings`. */
export interface RopeScaling {
  readonly kind: 'linear' | 'dynamic';
  readonly factor: number;
}

/** How a decoder-only family wires its blocks (what the graphs branch on: properties, not family names). */
export interface CausalBlockStyle {
  /** RMSNorm without bias (Llama) or LayerNorm with bias (Phi, GPT-2). */
  readonly norm: 'rms' | 'layer';
  /** SwiGLU `down(silu(gate) * up)` or `fc2(gelu_new(fc1))`. */
  readonly mlp: 'swiglu' | 'gelu_new';
  /** Phi: attention and MLP both read the one input norm, `x + attn(ln(x)) + mlp(ln(x))`. */
  readonly parallel: boolean;
  /** GPT-2: learned position embeddings added to the token embeddings (no RoPE). */
  readonly learnedPositions: boolean;
}

/** The hyper-parameters of a decoder-only checkpoint, HF defaults filled in. */
export interface CausalConfig {
  readonly architecture: 'decoder-only';
  readonly style: CausalBlockStyle;
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
  /** Leading dims of each head that are rotated (all of them for Llama, part for Phi, 0 for GPT-2). */
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

export const positiveInt = z
  .number({ error: 'a positive integer' })
  .int({ error: 'a positive integer' })
  .positive({ error: 'a positive integer' });
export const positive = z.number({ error: 'a positive number' }).positive({ error: 'a positive number' });
export const tokenId = z
  .number({ error: 'a token id (integer >= 0)' })
  .int({ error: 'a token id (integer >= 0)' })
  .nonnegative({ error: 'a token id (integer >= 0)' });
export const tokenIdOrList = z.union([tokenId, z.array(tokenId).min(1)], { error: 'a token id or a non-empty list of token ids' });

// transformers 4.36 writes {"type", "factor"}; newer files say "rope_type" (and "default" for none).
export const ropeScalingSchema = z
  .object({
    type: z.string().optional(),
    rope_type: z.string().optional(),
    factor: positive.optional(),
  })
  .loose()
  .nullish();

/** config.json keys every decoder-only reader takes the same way: the classes and the special token ids. */
export const commonKeys = {
  architectures: z.array(z.string()).nullish(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: tokenIdOrList.nullish(),
  pad_token_id: tokenId.nullish(),
};

/** The Llama-style keys that size attention (GPT-2's are renamed to them by its reader). */
export interface AttentionKeys {
  readonly model_type: string;
  readonly architectures?: string[] | null | undefined;
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads?: number | null | undefined;
  readonly head_dim?: number | null | undefined;
}

/** The attention geometry {@link attentionShape} reads. */
export type AttentionShape = Pick<
  CausalConfig,
  'modelType' | 'architectures' | 'vocabSize' | 'hiddenSize' | 'numLayers' | 'numHeads' | 'numKvHeads' | 'headDim'
>;

/** Heads, kv heads (default `defaultKvHeads`, else all) and head dim; MODEL_CONFIG_INVALID when they do not divide. */
export function attentionShape(json: AttentionKeys, file: string, defaultKvHeads?: number): AttentionShape {
  const numKvHeads = json.num_key_value_heads ?? defaultKvHeads ?? json.num_attention_heads;
  const headDim = json.head_dim ?? json.hidden_size / json.num_attention_heads;
  if (!Number.isInteger(headDim) || json.num_attention_heads % numKvHeads !== 0) {
    throw modelError('MODEL_CONFIG_INVALID', 'attention heads do not divide the model', {
      file,
      field: 'num_key_value_heads',
      given: `hidden size ${json.hidden_size}, ${json.num_attention_heads} heads, ${numKvHeads} kv heads`,
      expected: 'heads dividing the hidden size and a multiple of the kv heads',
    });
  }
  return {
    modelType: json.model_type,
    architectures: json.architectures ?? [],
    vocabSize: json.vocab_size,
    hiddenSize: json.hidden_size,
    numLayers: json.num_hidden_layers,
    numHeads: json.num_attention_heads,
    numKvHeads,
    headDim,
  };
}

/** EOS ids (a list in Llama 3 configs), the first of them, and the pad generation falls back to (4.36: EOS). */
export function specialIds(
  json: {
    readonly eos_token_id?: number | number[] | null | undefined;
    readonly pad_token_id?: number | null | undefined;
    readonly bos_token_id?: number | null | undefined;
  },
  defaults: { readonly bos: number; readonly eos: number },
): Pick<CausalConfig, 'bosTokenId' | 'eosTokenId' | 'eosTokenIds' | 'padTokenId' | 'decoderStartTokenId'> {
  const given = json.eos_token_id;
  const eosTokenIds = given == null ? [defaults.eos] : typeof given === 'number' ? [given] : given;
  const eosTokenId = eosTokenIds[0] ?? defaults.eos;
  const bos = json.bos_token_id === undefined ? defaults.bos : (json.bos_token_id ?? undefined);
  return {
    ...(bos === undefined ? {} : { bosTokenId: bos }),
    eosTokenId,
    eosTokenIds: Object.freeze([...eosTokenIds]),
    padTokenId: json.pad_token_id ?? eosTokenId,
    decoderStartTokenId: bos ?? eosTokenId,
  };
}

/** What a family's reader takes from its own config.json keys; {@link causalConfigOf} adds the parts every reader shares. */
export type FamilyFields = Pick<
  CausalConfig,
  'intermediateSize' | 'normEpsilon' | 'ropeTheta' | 'rotaryDim' | 'maxPositionEmbeddings' | 'tieWordEmbeddings' | 'attentionBias'
> & { readonly slidingWindow?: number | undefined };

/** One decoder-only reading of a config.json: the parsed keys in Llama's names, and what the family decides itself. */
export interface CausalReading {
  /** The attention keys and special token ids (GPT-2's renamed to Llama's). */
  readonly json: AttentionKeys & Parameters<typeof specialIds>[0];
  /** config.json as given, kept as the config's `raw`. */
  readonly raw: Record<string, unknown>;
  readonly file: string;
  readonly style: CausalBlockStyle;
  /** The family's BOS / EOS when config.json names none. */
  readonly defaultIds: Parameters<typeof specialIds>[1];
  readonly defaultKvHeads?: number | undefined;
  /** `rope_scaling` as parsed; families without RoPE leave it out. */
  readonly ropeScaling?: z.output<typeof ropeScalingSchema>;
  /** The family's own fields, from the attention shape (Phi rotates part of each head). */
  readonly fields: (shape: AttentionShape) => FamilyFields;
}

/** The frozen {@link CausalConfig} of a reading: attention shape, RoPE scaling and special ids checked here, once for every family. */
export function causalConfigOf(reading: CausalReading): CausalConfig {
  const shape = attentionShape(reading.json, reading.file, reading.defaultKvHeads);
  const own = reading.fields(shape);
  const ropeScaling = ropeScalingOf(reading.ropeScaling, reading.file);
  return Object.freeze({
    architecture: 'decoder-only',
    style: reading.style,
    ...shape,
    intermediateSize: own.intermediateSize,
    normEpsilon: own.normEpsilon,
    ropeTheta: own.ropeTheta,
    ...(ropeScaling === undefined ? {} : { ropeScaling }),
    rotaryDim: own.rotaryDim,
    maxPositionEmbeddings: own.maxPositionEmbeddings,
    ...(own.slidingWindow === undefined ? {} : { slidingWindow: own.slidingWindow }),
    tieWordEmbeddings: own.tieWordEmbeddings,
    attentionBias: own.attentionBias,
    ...specialIds(reading.json, reading.defaultIds),
    raw: Object.freeze(reading.raw),
  });
}

/** The `rope_scaling` of a config.json (absent, 4.36 `type`, or newer `rope_type`). */
export function ropeScalingOf(scaling: z.output<typeof ropeScalingSchema>, file: string): RopeScaling | undefined {
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
