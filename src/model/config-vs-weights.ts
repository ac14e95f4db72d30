// config.json is checked against the tensors a checkpoint holds before anything is sized from it: a
// num_layers of 10^6 would otherwise build millions of expected-tensor entries before the first lookup fails.
import { dirname, join } from 'node:path';
import { modelError } from './errors.js';
import type { T5Config } from './t5-config.js';

/** What the weights say about the architecture (names and shapes only; no data read). */
export interface WeightFacts {
  /** Canonical tensor name -> shape. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** The weight file (or index) the shapes come from, for messages. */
  readonly source: string;
  /** The config file named in errors; default: config.json beside `source`. */
  readonly configFile?: string;
}

const BLOCK = /^(encoder|decoder)\.block\.(\d+)\./;

/**
 * Throws MODEL_CONFIG_INVALID naming the config.json field, its value and what the weights hold, when
 * the block counts or the sizes of `shared.weight` and the first attention layer disagree with `config`.
 */
export function checkConfigAgainstWeights(config: T5Config, weights: WeightFacts): void {
  const blocks = { encoder: new Set<number>(), decoder: new Set<number>() };
  for (const name of weights.shapes.keys()) {
    const match = BLOCK.exec(name);
    if (match?.[1] === 'encoder' || match?.[1] === 'decoder') blocks[match[1]].add(Number(match[2]));
  }
  const fail = (field: string, given: number, found: string): never => {
    throw modelError('MODEL_CONFIG_INVALID', 'config.json disagrees with the weights', {
      file: weights.configFile ?? join(dirname(weights.source), 'config.json'),
      field,
      given: String(given),
      expected: `${found} (what ${weights.source} holds)`,
    });
  };
  if (config.numLayers > blocks.encoder.size) fail('num_layers', config.numLayers, `${blocks.encoder.size} encoder blocks`);
  if (config.numDecoderLayers > blocks.decoder.size) {
    fail('num_decoder_layers', config.numDecoderLayers, `${blocks.decoder.size} decoder blocks`);
  }
  const embedding = weights.shapes.get('shared.weight');
  if (embedding !== undefined && embedding.length === 2) {
    const [vocab = 0, width = 0] = embedding;
    if (config.vocabSize !== vocab) fail('vocab_size', config.vocabSize, `${vocab} rows in shared.weight`);
    if (config.dModel !== width) fail('d_model', config.dModel, `${width} columns in shared.weight`);
  }
  const bias = weights.shapes.get('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight');
  if (bias !== undefined && bias.length === 2) {
    if (bias[0] !== config.relativeAttentionNumBuckets) {
      fail('relative_attention_num_buckets', config.relativeAttentionNumBuckets, `${bias[0]} rows of the relative attention bias`);
    }
    if (bias[1] !== config.numHeads) fail('num_heads', config.numHeads, `${bias[1]} columns of the relative attention bias`);
  }
  const query = weights.shapes.get('encoder.block.0.layer.0.SelfAttention.q.weight');
  if (query !== undefined && query.length === 2 && query[0] !== config.numHeads * config.dKv) {
    fail('d_kv', config.dKv, `num_heads x d_kv = ${query[0]} (rows of encoder.block.0.layer.0.SelfAttention.q.weight)`);
  }
  const output = weights.shapes.get('encoder.block.0.layer.1.DenseReluDense.wo.weight');
  if (output !== undefined && output.length === 2 && output[1] !== config.dFf) {
    fail('d_ff', config.dFf, `${output[1]} columns of encoder.block.0.layer.1.DenseReluDense.wo.weight`);
  }
}
