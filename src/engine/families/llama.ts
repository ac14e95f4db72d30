/**
 * The Llama family, serving Llama 1-3 and Mistral checkpoints (numerically the same graphs here): GQA,
 * `rope_theta`, linear/dynamic `rope_scaling`, tied or untied head, `attention_bias`. Mistral's
 * `sliding_window` is applied as transformers 4.36's eager mask does (a query at position i sees
 * keys i - window < j <= i), so results stay exact beyond the window too; the cache keeps every key.
 */
import { isCausalConfig } from '../../model/index.js';
import { createCausalRuntime } from '../runtime/causal-runtime.js';
import { familyMismatch, openWithWeights } from './family-errors.js';
import type { ModelFamily } from './model-family.js';

/** Llama and Mistral as the engine runs them. */
export const LLAMA_FAMILY: ModelFamily = Object.freeze<ModelFamily>({
  name: 'llama',
  architecture: 'decoder-only',
  modelTypes: ['llama', 'mistral'],
  architectures: ['LlamaForCausalLM', 'MistralForCausalLM'],
  configReader: 'causal',
  graphs: [
    {
      role: 'prefill',
      file: 'prefill.onnx',
      description: "prompt[:-1] per row (right-padded) -> every layer's rotated keys and values",
    },
    {
      role: 'decoder-step',
      file: 'decoder.onnx',
      description: 'one token per row at its own position + caches -> logits and the new key/value per layer',
    },
  ],
  kvCacheLayout: {
    selfKey: '[rows, kvHeads, headDim, capacity] float32, left-aligned per row, RoPE applied',
    selfValue: '[rows, kvHeads, capacity, headDim] float32, left-aligned per row',
  },
  specialTokens: (config) => ({
    decoderStartTokenId: config.decoderStartTokenId,
    eosTokenId: config.eosTokenId,
    padTokenId: config.padTokenId,
  }),
  openCheckpoint: (model, options) => {
    const { config } = model;
    if (!isCausalConfig(config)) throw familyMismatch('llama', config.modelType);
    return openWithWeights(model, (weights) => createCausalRuntime({ weights, config, ...options }));
  },
});
