/**
 * Generation options in Hugging Face `generate` terms (camelCase): every wire format's parser maps
 * its own names onto {@link GenerationOptions}; the engine's resolve step turns them, with the
 * model's generation_config.json defaults and the server's cap, into {@link GenerationParams}.
 */

import type { DecodingChoices } from '../model/index.js';

/** Hugging Face `generate` settings, resolved (every field known); what the engine decodes with. */
export interface GenerationParams extends DecodingChoices {
  readonly maxNewTokens: number;
  readonly minNewTokens: number;
  /** Seed for reproducible sampling (0..2^53-1); absent = random. */
  readonly seed?: number;
}

/** What a caller set, wire names already mapped to ours; absent fields take the model's defaults. */
export type GenerationOptions = Partial<GenerationParams> & {
  /** Hugging Face `max_length`: total decoder length including the start token; `maxNewTokens` wins. */
  readonly maxLength?: number;
};

/** Copies only the defined fields (exactOptionalPropertyTypes forbids explicit undefined). */
export function definedOnly<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  // Object.fromEntries loses the key types; the filter only removes undefined values, so T holds.
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** Names an option as the caller wrote it, so a refusal points at the caller's own field. */
export type OptionFieldName = (option: keyof GenerationOptions) => string;
