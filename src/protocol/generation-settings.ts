/**
 * Generation settings as the wire formats carry them, in Hugging Face `generate` terms (camelCase).
 * Field names and types match the engine's GenerationOverrides, so the server passes them on as is;
 * protocol does not import engine.
 */

/** What a client may set; absent fields take the model's generation_config defaults. */
export interface GenerationSettings {
  readonly maxNewTokens?: number;
  /** Hugging Face `max_length`: total decoder length including the start token; `maxNewTokens` wins. */
  readonly maxLength?: number;
  readonly minNewTokens?: number;
  readonly numBeams?: number;
  readonly doSample?: boolean;
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly repetitionPenalty?: number;
  readonly lengthPenalty?: number;
  readonly noRepeatNgramSize?: number;
  readonly earlyStopping?: boolean | 'never';
  readonly numReturnSequences?: number;
  /** Seed for reproducible sampling (0..2^53-1). */
  readonly seed?: number;
}

/** Copies only the defined fields (exactOptionalPropertyTypes forbids explicit undefined). */
export function definedOnly<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  // Object.fromEntries loses the key types; the filter only removes undefined values, so T holds.
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * Smallest temperature and repetition penalty accepted. Both divide float32 logits (HF's TemperatureLogitsWarper and
 * RepetitionPenaltyLogitsProcessor); below this a logit of a few thousand overflows to Infinity and the softmax turns
 * into NaN. HF and TGI only require "strictly positive"; vLLM raises temperatures under 1e-2 to 1e-2 for the same
 * reason (https://github.com/vllm-project/vllm/blob/main/vllm/sampling_params.py, `_MAX_TEMP`).
 */
export const ARITHMETIC_MINIMUMS = { temperature: 1e-4, repetitionPenalty: 1e-4 } as const;

/** A setting too small for the logits arithmetic. */
export interface ArithmeticRangeIssue {
  readonly setting: keyof typeof ARITHMETIC_MINIMUMS;
  /** Its name on every wire format we speak (HF, TGI and OpenAI all say snake_case). */
  readonly wireName: 'temperature' | 'repetition_penalty';
  readonly given: number;
  readonly minimum: number;
}

/** The first of temperature / repetition penalty below {@link ARITHMETIC_MINIMUMS}; each protocol words the error. */
export function arithmeticRangeIssue(settings: GenerationSettings): ArithmeticRangeIssue | undefined {
  for (const setting of ['temperature', 'repetitionPenalty'] as const) {
    const given = settings[setting];
    const minimum = ARITHMETIC_MINIMUMS[setting];
    const wireName = setting === 'temperature' ? 'temperature' : 'repetition_penalty';
    if (given !== undefined && given < minimum) return { setting, wireName, given, minimum };
  }
  return undefined;
}
