/**
 * The GPT-2 family: learned position embeddings (prompt + generation at most `n_positions` tokens),
 * pre-LayerNorm blocks with biases, Conv1D weights (stored `[in, out]`, transposed at load), tied head.
 */
import { decoderOnlyFamily } from './decoder-only.js';

/** GPT-2 as the engine runs it. */
export const GPT2_FAMILY = decoderOnlyFamily({
  name: 'gpt2',
  modelTypes: ['gpt2'],
  architectures: ['GPT2LMHeadModel'],
  keyNote: '',
});
