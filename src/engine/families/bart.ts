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
  graphs: [
    {
      role: 'encoder',
      file: 'encoder.onnx',
      description: "input ids + padding bias -> last_hidden_state and every decoder layer's cross-attention keys/values",
    },
    {
      role: 'decoder-step',
      file: 'decoder.onnx',
      description:
        'one token per row at its position + caches -> logits (+ final_logits_bias) and the new self-attention key/value per layer',
    },
  ],
  kvCacheLayout: T5_FAMILY.kvCacheLayout,
  specialTokens: configSpecialTokens,
  openCheckpoint: (model, options) => {
    const { config } = model;
    if (!isBartConfig(config)) throw familyMismatch('bart', config.modelType);
    return openWithWeights(model, (weights) => createBartRuntime({ weights, config, ...options }));
  },
});
