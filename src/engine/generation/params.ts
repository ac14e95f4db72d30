/**
 * The one resolve step for Hugging Face `generate` settings: the model's defaults, then the caller's
 * options, then the server's cap and HF's consistency rules (v4.36). Every route and backend goes
 * through {@link resolveGenerationParams}; refusals name the field the way the caller wrote it.
 */
import type { OptionFieldName } from '../../protocol/index.js';
import type { GenerationOptions, GenerationParams } from '../backend.js';
import { paramsInvalid } from './errors.js';

/** What a resolution is checked against, and how its refusals name fields. */
export interface ParamLimits {
  /** Largest number of new tokens (the server's MAX_NEW_TOKENS_CAP), through `maxNewTokens` or `maxLength`. */
  readonly maxNewTokensCap: number;
  /** The caller's name for an option (e.g. `parameters.max_new_tokens`); default ours. */
  readonly fieldName?: OptionFieldName;
  /** Decoder-only models: the prompt's length, which HF's causal `max_length` counts; default 1 (the decoder start token). */
  readonly promptTokens?: number;
}

/**
 * Smallest temperature (when sampling) and repetition penalty accepted. Both divide float32 logits (HF's
 * TemperatureLogitsWarper and RepetitionPenaltyLogitsProcessor); below this a logit of a few thousand overflows to
 * Infinity and the softmax turns into NaN. HF and TGI only require "strictly positive"; vLLM raises temperatures
 * under 1e-2 to 1e-2 for the same reason (https://github.com/vllm-project/vllm/blob/main/vllm/sampling_params.py, `_MAX_TEMP`).
 */
export const ARITHMETIC_MINIMUMS = { temperature: 1e-4, repetitionPenalty: 1e-4 } as const;

/**
 * New tokens a Hugging Face decoder length allows: `max_length` / `min_length` count the decoder start token, which
 * is not generated (HF `GenerationConfig` docs), so `max_length` 20 is 19 new tokens.
 */
export function newTokensWithin(decoderLength: number, counted = 1): number {
  return decoderLength - counted;
}

/**
 * Applies `options` on `defaults` (held to the cap) and validates. `maxLength` becomes `newTokensWithin(maxLength)` unless
 * `maxNewTokens` is given too, which wins as in HF. A temperature of 0 (given or the model's) means greedy
 * decoding: sampling is off, as OpenAI, vLLM and TGI's OpenAI routes read it, and HF never samples at 0.
 */
export function resolveGenerationParams(
  defaults: GenerationParams,
  options: GenerationOptions | undefined,
  limits: ParamLimits,
): GenerationParams {
  const name = limits.fieldName ?? ((option) => option);
  const { maxLength, ...rest } = options ?? {};
  const picked = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  // a model default past the cap is held to it: only what a caller asks for is refused
  const capped = { ...defaults, maxNewTokens: Math.min(defaults.maxNewTokens, limits.maxNewTokensCap) };
  let params: GenerationParams = { ...capped, ...picked };
  let capField: keyof GenerationOptions = 'maxNewTokens';
  if (maxLength !== undefined && options?.maxNewTokens === undefined) {
    checkInteger(name('maxLength'), maxLength, 2, Number.MAX_SAFE_INTEGER);
    // HF generates one token even when a decoder-only prompt already reaches max_length (it only warns).
    params = { ...params, maxNewTokens: Math.max(1, newTokensWithin(maxLength, limits.promptTokens)) };
    capField = 'maxLength';
  }
  if (params.temperature === 0) params = { ...params, doSample: false };
  checkInteger(name('maxNewTokens'), params.maxNewTokens, 1, Number.MAX_SAFE_INTEGER);
  if (params.maxNewTokens > limits.maxNewTokensCap) {
    const given = capField === 'maxLength' ? `${String(maxLength)} (${params.maxNewTokens} new tokens)` : params.maxNewTokens;
    throw paramsInvalid(name(capField), given, `at most ${limits.maxNewTokensCap} new tokens`);
  }
  validateGenerationParams(params, name);
  return params;
}

/** Throws ENGINE_PARAMS_INVALID (400) naming the first field that is out of range or inconsistent. */
function validateGenerationParams(params: GenerationParams, name: OptionFieldName): void {
  checkInteger(name('minNewTokens'), params.minNewTokens, 0, Number.MAX_SAFE_INTEGER);
  checkInteger(name('numBeams'), params.numBeams, 1, 256);
  checkInteger(name('numReturnSequences'), params.numReturnSequences, 1, 256);
  if (params.doSample) checkInteger(name('topK'), params.topK, 0, Number.MAX_SAFE_INTEGER);
  checkInteger(name('noRepeatNgramSize'), params.noRepeatNgramSize, 0, 1024);
  if (typeof params.doSample !== 'boolean') throw paramsInvalid(name('doSample'), params.doSample, 'true or false');
  // Warpers act only when sampling (HF ignores them otherwise).
  const minTemperature = ARITHMETIC_MINIMUMS.temperature;
  if (params.doSample && !(params.temperature >= minTemperature && Number.isFinite(params.temperature))) {
    throw paramsInvalid(name('temperature'), params.temperature, `at least ${minTemperature} when sampling, or 0 for greedy decoding`);
  }
  if (params.doSample && !(params.topP > 0 && params.topP <= 1))
    throw paramsInvalid(name('topP'), params.topP, 'a number in (0, 1] when sampling');
  const minPenalty = ARITHMETIC_MINIMUMS.repetitionPenalty;
  if (!(params.repetitionPenalty >= minPenalty && Number.isFinite(params.repetitionPenalty))) {
    throw paramsInvalid(name('repetitionPenalty'), params.repetitionPenalty, `at least ${minPenalty}`);
  }
  if (!Number.isFinite(params.lengthPenalty)) throw paramsInvalid(name('lengthPenalty'), params.lengthPenalty, 'a finite number');
  if (params.earlyStopping !== true && params.earlyStopping !== false && params.earlyStopping !== 'never') {
    throw paramsInvalid(name('earlyStopping'), params.earlyStopping, 'true, false or "never"');
  }
  if (params.seed !== undefined && !(Number.isInteger(params.seed) && params.seed >= 0)) {
    throw paramsInvalid(name('seed'), params.seed, 'a non-negative integer');
  }
  if (!params.doSample && params.numReturnSequences > params.numBeams) {
    const expected =
      params.numBeams === 1 ? '1 for greedy decoding (use sampling or beam search)' : `at most num_beams (${params.numBeams}), or sampling`;
    throw paramsInvalid(name('numReturnSequences'), params.numReturnSequences, expected);
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
