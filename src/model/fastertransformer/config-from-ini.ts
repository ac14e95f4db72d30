import { LlmDeployError } from '../../config/index.js';
import { DENSE_ACTIVATIONS, parseFeedForwardProj, type FeedForwardProj, type T5Config } from '../t5-config.js';
import type { IniSections } from './config-ini-reader.js';

// Python str() of a config value back to JSON-like data (True/False/None, ints, floats, strings).
function pythonValue(text: string): unknown {
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (text === 'None') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^-?(\d+\.\d*|\d*\.\d+|\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  return text;
}

/**
 * What FasterTransformer's FFN runs (getActivationType in src/fastertransformer/layers/FfnLayer.h:
 * https://github.com/NVIDIA/FasterTransformer/blob/main/src/fastertransformer/layers/FfnLayer.h).
 */
export const FT_FEED_FORWARD_PROJECTIONS: readonly string[] = [
  'relu',
  'gelu',
  'silu',
  'gated-gelu',
  'gated-relu',
  'gated-silu',
] satisfies readonly FeedForwardProj[];

/**
 * The T5 hyper-parameters of a FasterTransformer folder without config.json (NVIDIA's converter
 * alone writes none), from config.ini's `[encoder]` and `[decoder]` sections.
 */
export function t5ConfigFromIni(sections: IniSections, file: string): T5Config {
  const encoder = sections.get('encoder');
  const decoder = sections.get('decoder') ?? encoder;
  const field = (section: ReadonlyMap<string, string> | undefined, key: string): unknown => {
    const text = section?.get(key);
    return text === undefined ? undefined : pythonValue(text);
  };
  const integer = (key: string, section = encoder): number => {
    const value = field(section, key);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new LlmDeployError('config.ini lacks a T5 size', {
        code: 'MODEL_CONFIG_INVALID',
        file,
        field: key,
        given: String(value),
        expected: 'a non-negative integer',
      });
    }
    return value;
  };
  const optionalInteger = (key: string, fallback: number, section = encoder): number =>
    field(section, key) === undefined || field(section, key) === null ? fallback : integer(key, section);
  const projection = String(field(encoder, 'feed_forward_proj') ?? 'relu');
  const derived = FT_FEED_FORWARD_PROJECTIONS.includes(projection) ? parseFeedForwardProj(projection) : undefined;
  if (derived === undefined) {
    throw new LlmDeployError('unsupported feed_forward_proj in config.ini', {
      code: 'MODEL_CONFIG_INVALID',
      file,
      field: 'feed_forward_proj',
      given: projection,
      expected: FT_FEED_FORWARD_PROJECTIONS.join(', '),
    });
  }
  const raw: Record<string, unknown> = {};
  for (const [key, text] of encoder ?? []) raw[key] = pythonValue(text);
  const padTokenId = optionalInteger('pad_token_id', 0);
  const denseActFn = DENSE_ACTIVATIONS.find((name) => name === field(encoder, 'dense_act_fn'));
  return Object.freeze({
    modelType: 't5',
    vocabSize: integer('vocab_size'),
    dModel: integer('d_model'),
    dKv: integer('d_kv'),
    dFf: integer('d_ff'),
    numHeads: integer('num_heads'),
    numLayers: integer('num_layers'),
    numDecoderLayers: integer('num_layers', decoder),
    feedForwardProj: derived.feedForwardProj,
    isGatedAct: field(encoder, 'is_gated_act') === true || derived.isGatedAct,
    denseActFn: denseActFn ?? derived.denseActFn,
    tieWordEmbeddings: field(decoder, 'tie_word_embeddings') !== false,
    // FasterTransformer's T5 layout holds one relative attention bias per stack.
    relativeBiasPerLayer: false,
    relativeAttentionNumBuckets: integer('relative_attention_num_buckets_or_max_pos_seq_len'),
    relativeAttentionMaxDistance: optionalInteger('relative_attention_max_distance', 128),
    layerNormEpsilon: Number(field(encoder, 'layer_norm_epsilon') ?? 1e-6),
    decoderStartTokenId: optionalInteger('decoder_start_token_id', padTokenId, decoder),
    eosTokenId: optionalInteger('eos_token_id', 1, decoder),
    padTokenId,
    raw: Object.freeze(raw),
  });
}
