/**
 * The T5 family (T5 v1.0, T5 v1.1, Flan-T5, UL2, ByT5, mT5, umT5): encoder + one-token decoder step graphs, the cache
 * layout the runtime keeps, and the token ids config.json names.
 */
import { isBartConfig, isCausalConfig, T5_MODEL_TYPES, type ModelConfig, type T5Config } from '../../model/index.js';
import { ENCODER_DECODER_GRAPH_FILES, t5GraphBuilders } from '../graph/t5-graphs.js';
import { createT5Runtime, createT5RuntimeFromGraphs } from '../runtime/t5-runtime.js';
import { configSpecialTokens, familyMismatch, openWithWeights } from './family-parts.js';
import type { ModelFamily } from './model-family.js';

/** T5 as the engine runs it. */
export const T5_FAMILY: ModelFamily = Object.freeze<ModelFamily>({
  name: 't5',
  architecture: 'encoder-decoder',
  modelTypes: T5_MODEL_TYPES,
  architectures: ['T5ForConditionalGeneration', 'T5WithLMHeadModel', 'MT5ForConditionalGeneration', 'UMT5ForConditionalGeneration'],
  configReader: 't5',
  // The contract's T5 model; umT5's per-layer biases are refused where a layout is written, not by the tensors.
  fasterTransformerContract: true,
  graphs: ENCODER_DECODER_GRAPH_FILES.map((graph) => ({
    ...graph,
    description:
      graph.role === 'encoder'
        ? "input ids + padding bias -> last_hidden_state and every decoder layer's cross-attention keys/values"
        : 'one token per row + caches -> logits and the new self-attention key/value per layer',
  })),
  kvCacheLayout: {
    selfKey: '[rows, heads, dKv, capacity] float32, left-aligned per row',
    selfValue: '[rows, heads, capacity, dKv] float32, left-aligned per row',
    crossKey: '[rows, heads, dKv, encoderLength] float32',
    crossValue: '[rows, heads, encoderLength, dKv] float32',
  },
  specialTokens: configSpecialTokens,
  openCheckpoint: (model, options) => {
    const config = t5Config(model.config);
    return openWithWeights(model, (weights) => createT5Runtime({ weights, config, ...options }));
  },
  graphBuilders: (config, weights, options) => t5GraphBuilders(t5Config(config), weights, options),
  openGraphs: (config, graphs, options) => createT5RuntimeFromGraphs({ config: t5Config(config), graphs, ...options }),
});

function t5Config(config: ModelConfig): T5Config {
  if (isCausalConfig(config) || isBartConfig(config)) throw familyMismatch('t5', config.modelType);
  return config;
}
