// Test input: Hugging Face's generation defaults (a model without generation settings) as engine params.
import { defaultGenerationConfig } from '../../../model/index.js';
import type { GenerationParams } from '../../backend.js';
import { paramsFromGenerationConfig } from '../defaults.js';

/** `GenerationConfig()` of transformers for a T5 model: greedy, `max_length` 20 = 19 new tokens. */
export const HF_GENERATION_DEFAULTS: GenerationParams = paramsFromGenerationConfig(
  defaultGenerationConfig({ decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 }),
);
