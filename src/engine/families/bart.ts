/**
 * The BART family: post-LayerNorm encoder + one-token decoder step graphs with learned positions
 * (offset 2), the T5 family's cache layout, and the token ids config.json names (decoder start = `</s>`).
 */
import { BART_MODEL_TYPES, isBartConfig, type BartConfig, type ModelConfig } from '../../model/index.js';
import { bartGraphBuilders } from '../graph/bart-graphs.js';
import { createBartRuntime, createBartRuntimeFromGraphs } from '../runtime/bart-runtime.js';
import { configSpecialTokens, familyMismatch, openWithWeights } from './family-parts.js';
import type { ModelFamily } from './model-family.js';
import { T5_FAMILY } from './t5.js';

/** What a family on BART's graphs and runtime declares (a table row: Marian's joins the same way). */
export interface BartLikeFacts {
  readonly name: string;
  readonly modelTypes: readonly string[];
  readonly architectures: readonly string[];
}

/** A family entry running BART's encoder and decoder-step graphs, written to and opened from graph directories as they are. */
export function bartLikeFamily(facts: BartLikeFacts): ModelFamily {
  const bartConfig = (config: ModelConfig): BartConfig => {
    if (!isBartConfig(config)) throw familyMismatch(facts.name, config.modelType);
    return config;
  };
  return Object.freeze<ModelFamily>({
    ...facts,
    architecture: 'encoder-decoder',
    configReader: 'bart',
    // Triton's FasterTransformer backend runs no BART (NVIDIA/FasterTransformer#531, closed as a feature request).
    fasterTransformerContract: false,
    // The same roles, files and inputs as T5's, with the step also fed each row's position.
    graphs: T5_FAMILY.graphs,
    kvCacheLayout: T5_FAMILY.kvCacheLayout,
    specialTokens: configSpecialTokens,
    openCheckpoint: (model, options) => {
      const config = bartConfig(model.config);
      return openWithWeights(model, (weights) => createBartRuntime({ weights, config, ...options }));
    },
    graphBuilders: (config, weights, options) => bartGraphBuilders({ config: bartConfig(config), weights, quantize: options.quantize }),
    openGraphs: (config, graphs, options) => createBartRuntimeFromGraphs({ config: bartConfig(config), graphs, ...options }),
  });
}

/** BART as the engine runs it. */
export const BART_FAMILY: ModelFamily = bartLikeFamily({
  name: 'bart',
  modelTypes: BART_MODEL_TYPES,
  architectures: ['BartForConditionalGeneration'],
});
