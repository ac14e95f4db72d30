/**
 * What every decoder-only family shares: prefill + decode-step graphs, the per-row cache layout, and
 * the runtime that opens them; each family file adds its model types, classes and cache notes.
 */
import { isCausalConfig, type CausalConfig, type ModelConfig } from '../../model/index.js';
import { CAUSAL_GRAPH_FILES, causalGraphBuilders, createCausalRuntime, createCausalRuntimeFromGraphs } from '../runtime/causal-runtime.js';
import { configSpecialTokens, familyMismatch, openWithWeights } from './family-parts.js';
import type { ModelFamily } from './model-family.js';

/** The facts a decoder-only family declares. */
export interface DecoderOnlyFacts {
  readonly name: string;
  readonly modelTypes: readonly string[];
  readonly architectures: readonly string[];
  /** What the key cache holds beyond the common layout (e.g. RoPE applied). */
  readonly keyNote: string;
}

/** A decoder-only family entry of the table. */
export function decoderOnlyFamily(facts: DecoderOnlyFacts): ModelFamily {
  const causalConfig = (config: ModelConfig): CausalConfig => {
    if (!isCausalConfig(config)) throw familyMismatch(facts.name, config.modelType);
    return config;
  };
  const descriptions = {
    prefill: "prompt[:-1] per row (right-padded) -> every layer's keys and values",
    'decoder-step': 'one token per row at its own position + caches -> logits and the new key/value per layer',
  };
  return Object.freeze<ModelFamily>({
    ...facts,
    architecture: 'decoder-only',
    configReader: 'causal',
    fasterTransformerContract: false,
    graphs: CAUSAL_GRAPH_FILES.map((graph) => ({ ...graph, description: descriptions[graph.role] })),
    kvCacheLayout: {
      selfKey: `[rows, kvHeads, headDim, capacity] float32, left-aligned per row${facts.keyNote}`,
      selfValue: '[rows, kvHeads, capacity, headDim] float32, left-aligned per row',
    },
    specialTokens: configSpecialTokens,
    openCheckpoint: (model, options) => {
      const config = causalConfig(model.config);
      return openWithWeights(model, (weights) => createCausalRuntime({ weights, config, ...options }));
    },
    graphBuilders: (config, weights, options) =>
      causalGraphBuilders({ config: causalConfig(config), weights, quantize: options.quantize, int8Operator: 'MatMulNBits' }),
    openGraphs: (config, graphs, options) => createCausalRuntimeFromGraphs({ config: causalConfig(config), graphs, ...options }),
  });
}
