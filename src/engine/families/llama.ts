/**
 * The Llama family, serving Llama 1-3 and Mistral checkpoints (numerically the same graphs here): GQA,
 * `rope_theta`, linear/dynamic `rope_scaling`, tied or untied head, `attention_bias`. Mistral's
 * `sliding_window` is applied as transformers 4.36's eager mask does (a query at position i sees
 * keys i - window < j <= i), so results stay exact beyond the window too; the cache keeps every key.
 */
import { decoderOnlyFamily } from './decoder-only.js';

/** Llama and Mistral as the engine runs them. */
export const LLAMA_FAMILY = decoderOnlyFamily({
  name: 'llama',
  modelTypes: ['llama', 'mistral'],
  architectures: ['LlamaForCausalLM', 'MistralForCausalLM'],
  keyNote: ', RoPE applied',
});
