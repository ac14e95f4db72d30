/** The model's generation defaults (its generation_config.json) as the engine's {@link GenerationParams}. */
import type { GenerationConfig } from '../../model/index.js';
import type { GenerationParams } from '../backend.js';
import { newTokensWithin } from './params.js';

/**
 * HF semantics for an encoder-decoder model: `max_length` and `min_length` count the decoder start
 * token, so `max_length` 20 allows 19 new tokens; `max_new_tokens` wins over `max_length`; both
 * minimum-length rules apply, so the stricter one holds.
 */
export function paramsFromGenerationConfig(config: GenerationConfig): GenerationParams {
  return Object.freeze({
    maxNewTokens: config.maxNewTokens ?? Math.max(1, newTokensWithin(config.maxLength)),
    minNewTokens: Math.max(config.minNewTokens ?? 0, newTokensWithin(config.minLength), 0),
    numBeams: config.numBeams,
    doSample: config.doSample,
    temperature: config.temperature,
    topK: config.topK,
    topP: config.topP,
    repetitionPenalty: config.repetitionPenalty,
    lengthPenalty: config.lengthPenalty,
    noRepeatNgramSize: config.noRepeatNgramSize,
    earlyStopping: config.earlyStopping,
    numReturnSequences: config.numReturnSequences,
  });
}
