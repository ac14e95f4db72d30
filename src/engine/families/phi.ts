/**
 * The Phi family (Phi-1, Phi-1.5, Phi-2): partial rotary (the first `partial_rotary_factor * head_dim`
 * dims), attention and MLP in parallel on one biased LayerNorm, `lm_head` with bias. Loads the fused
 * `query_key_value` weights of transformers 4.36 and the separate q/k/v projections of later versions.
 */
import { decoderOnlyFamily } from './decoder-only.js';

/** Phi as the engine runs it. */
export const PHI_FAMILY = decoderOnlyFamily({
  name: 'phi',
  modelTypes: ['phi'],
  architectures: ['PhiForCausalLM'],
  keyNote: ', RoPE applied to the rotary dims',
});
