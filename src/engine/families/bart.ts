/**
 * The BART family: post-LayerNorm encoder + one-token decoder step graphs with learned positions
 * (offset 2), the T5 family's cache layout, and the token ids config.json names (decoder start = `</s>`).
 */
import { BART_MODEL_TYPES, isBartConfig } from '../../model/index.js';
import { createBartRuntime } from '../runtime/bart-runtime.js';
import { configSpecialTokens, familyMismatch, openWithWeights } from './family-parts.js';
import type { ModelFamily } from './model-family.js';
import { T5_FAMILY } from './t5.js';

/** BART as the engine runs it. */
export const BART_FAMILY: ModelFamily = Object.freeze<ModelFamily>({
  name: 'bart',
  architecture: 'encoder-decoder',
  modelTypes: BART_MODEL_TYPES,
  architectures: ['BartForConditionalGeneration'],
  configReader: 'bart',
  // The same roles, files and inputs as T5's, with the step also fed each row's position.
  graphs: T5_FAMILY.graphs,
  kvCacheLayout: T5_FAMILY.kvCacheLayout,
  specialTokens: configSpecialTokens,
  openCheckpoint: (model, options) => {
    const { config } = model;
    if (!isBartConfig(config)) throw familyMismatch('bart', config.modelType);
    return openWithWeights(model, (weights) => createBartRuntime({ weights, config, ...options }));
  },
});
