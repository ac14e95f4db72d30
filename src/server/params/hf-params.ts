/**
 * Hugging Face `generate` settings as `/infer` reads them (`parameters` or `config`), mapped to
 * the backend's overrides. Unknown names are rejected so typos do not pass silently.
 */
import { z } from 'zod';
import type { GenerationOverrides } from '../../engine/index.js';
import { invalidField } from '../errors.js';

const count = z.number().int().min(0).max(1_000_000);
const positiveCount = z.number().int().min(1).max(1_000_000);
const finite = z.number().min(-1e6).max(1e6);

/** Schema of the generation settings in an `/infer` body (snake_case, as Hugging Face names them). */
export const hfParamsSchema = z.strictObject({
  max_new_tokens: positiveCount.optional(),
  max_length: positiveCount.optional(),
  min_new_tokens: count.optional(),
  num_beams: z.number().int().min(1).max(64).optional(),
  do_sample: z.boolean().optional(),
  temperature: z.number().gt(0).max(100).optional(),
  top_k: count.optional(),
  top_p: z.number().gt(0).max(1).optional(),
  repetition_penalty: z.number().gt(0).max(100).optional(),
  length_penalty: finite.optional(),
  no_repeat_ngram_size: count.optional(),
  early_stopping: z.union([z.boolean(), z.literal('never')]).optional(),
  num_return_sequences: z.number().int().min(1).max(64).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** Parsed `/infer` generation settings. */
export type HfParams = z.output<typeof hfParamsSchema>;

/** Maps snake_case settings to the backend's overrides, checking the new-token cap. */
export function hfParamsToOverrides(params: HfParams, options: { maxNewTokensCap: number; field: string }): GenerationOverrides {
  checkNewTokens(params.max_new_tokens, options.maxNewTokensCap, `${options.field}.max_new_tokens`);
  const overrides: { -readonly [K in keyof GenerationOverrides]: GenerationOverrides[K] } = {};
  if (params.max_new_tokens !== undefined) overrides.maxNewTokens = params.max_new_tokens;
  if (params.max_length !== undefined) {
    // max_length counts the decoder start token; it must not sneak past the cap either
    checkNewTokens(params.max_length - 1, options.maxNewTokensCap, `${options.field}.max_length`);
    overrides.maxLength = params.max_length;
  }
  if (params.min_new_tokens !== undefined) overrides.minNewTokens = params.min_new_tokens;
  if (params.num_beams !== undefined) overrides.numBeams = params.num_beams;
  if (params.do_sample !== undefined) overrides.doSample = params.do_sample;
  if (params.temperature !== undefined) overrides.temperature = params.temperature;
  if (params.top_k !== undefined) overrides.topK = params.top_k;
  if (params.top_p !== undefined) overrides.topP = params.top_p;
  if (params.repetition_penalty !== undefined) overrides.repetitionPenalty = params.repetition_penalty;
  if (params.length_penalty !== undefined) overrides.lengthPenalty = params.length_penalty;
  if (params.no_repeat_ngram_size !== undefined) overrides.noRepeatNgramSize = params.no_repeat_ngram_size;
  if (params.early_stopping !== undefined) overrides.earlyStopping = params.early_stopping;
  if (params.num_return_sequences !== undefined) overrides.numReturnSequences = params.num_return_sequences;
  if (params.seed !== undefined) overrides.seed = params.seed;
  checkBeams(overrides, options.field);
  return overrides;
}

/** `max_new_tokens` above the server's cap is the caller's mistake. */
export function checkNewTokens(value: number | undefined, cap: number, field: string): void {
  if (value !== undefined && value > cap) {
    throw invalidField('too many new tokens requested', { field, given: String(value), expected: `at most ${cap}` });
  }
}

function checkBeams(overrides: GenerationOverrides, field: string): void {
  const beams = overrides.numBeams ?? 1;
  const sequences = overrides.numReturnSequences ?? 1;
  if (!overrides.doSample && sequences > beams) {
    throw invalidField('num_return_sequences must not exceed num_beams without sampling', {
      field: `${field}.num_return_sequences`,
      given: String(sequences),
      expected: `at most num_beams (${beams}), or do_sample true`,
    });
  }
}
