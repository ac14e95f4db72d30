/**
 * Resolving and checking Hugging Face `generate` settings: the model's defaults, then the request's
 * overrides, then checks that the result is usable and consistent (HF v4.36 rules).
 */
import type { GenerationOverrides, GenerationParams } from '../backend.js';
import { paramsInvalid } from './errors.js';

/** Limits the engine imposes on top of Hugging Face's own rules. */
export interface ParamLimits {
  /** Largest `maxNewTokens` accepted. */
  readonly maxNewTokensLimit: number;
}

/**
 * Applies `overrides` on `defaults` and validates. `maxLength` (HF: decoder length including the start
 * token) becomes `maxNewTokens = maxLength - 1` unless `maxNewTokens` is given too, which wins as in HF.
 */
export function resolveGenerationParams(
  defaults: GenerationParams,
  overrides: GenerationOverrides | undefined,
  limits: ParamLimits,
): GenerationParams {
  const { maxLength, ...rest } = overrides ?? {};
  const picked = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const merged: GenerationParams = { ...defaults, ...picked };
  let params = merged;
  if (maxLength !== undefined && overrides?.maxNewTokens === undefined) {
    checkInteger('maxLength', maxLength, 2, limits.maxNewTokensLimit + 1);
    params = { ...merged, maxNewTokens: maxLength - 1 };
  }
  validateGenerationParams(params, limits);
  return params;
}

/** Throws ENGINE_PARAMS_INVALID (400) naming the first field that is out of range or inconsistent. */
export function validateGenerationParams(params: GenerationParams, limits: ParamLimits): void {
  checkInteger('maxNewTokens', params.maxNewTokens, 1, limits.maxNewTokensLimit);
  checkInteger('minNewTokens', params.minNewTokens, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('numBeams', params.numBeams, 1, 256);
  checkInteger('numReturnSequences', params.numReturnSequences, 1, 256);
  if (params.doSample) checkInteger('topK', params.topK, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('noRepeatNgramSize', params.noRepeatNgramSize, 0, 1024);
  if (typeof params.doSample !== 'boolean') throw paramsInvalid('doSample', params.doSample, 'true or false');
  // Warpers act only when sampling (HF ignores them otherwise), so e.g. temperature 0 with greedy decoding is fine.
  if (params.doSample && !(params.temperature > 0 && Number.isFinite(params.temperature))) {
    throw paramsInvalid('temperature', params.temperature, 'a number > 0 when sampling');
  }
  if (params.doSample && !(params.topP > 0 && params.topP <= 1))
    throw paramsInvalid('topP', params.topP, 'a number in (0, 1] when sampling');
  if (!(params.repetitionPenalty > 0 && Number.isFinite(params.repetitionPenalty))) {
    throw paramsInvalid('repetitionPenalty', params.repetitionPenalty, 'a number > 0');
  }
  if (!Number.isFinite(params.lengthPenalty)) throw paramsInvalid('lengthPenalty', params.lengthPenalty, 'a finite number');
  if (params.earlyStopping !== true && params.earlyStopping !== false && params.earlyStopping !== 'never') {
    throw paramsInvalid('earlyStopping', params.earlyStopping, 'true, false or "never"');
  }
  if (params.seed !== undefined && !(Number.isInteger(params.seed) && params.seed >= 0)) {
    throw paramsInvalid('seed', params.seed, 'a non-negative integer');
  }
  if (!params.doSample && params.numBeams === 1 && params.numReturnSequences > 1) {
    throw paramsInvalid('numReturnSequences', params.numReturnSequences, '1 for greedy decoding (use sampling or beam search)');
  }
  if (!params.doSample && params.numReturnSequences > params.numBeams) {
    throw paramsInvalid('numReturnSequences', params.numReturnSequences, `at most numBeams (${params.numBeams}) for beam search`);
  }
}

/** Decoder rows a request occupies: one per beam, times independent searches when sampling. */
export function rowsFor(params: GenerationParams): number {
  if (params.numBeams > 1) return params.doSample ? params.numBeams * params.numReturnSequences : params.numBeams;
  return params.doSample ? params.numReturnSequences : 1;
}

function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw paramsInvalid(field, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`);
  }
}
