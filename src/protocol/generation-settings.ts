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
