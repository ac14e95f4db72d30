/**
 * Hugging Face `generate` settings by their snake_case names (what `/infer` takes under
 * `parameters` or `config`): a strict schema (unknown names and out-of-range values are 400s
 * naming the field) and the mapping to {@link GenerationOptions}.
 */
import { z } from 'zod';
import type { GenerationOptions } from './generation-options.js';

const tokens = z.number().int().min(1).max(1_000_000);

/** Strict schema of HF generation settings. */
export const hfSettingsSchema = z.strictObject({
  max_new_tokens: tokens.optional(),
  max_length: z.number().int().min(2).max(1_000_001).optional(),
  min_new_tokens: z.number().int().min(0).max(1_000_000).optional(),
  num_beams: z.number().int().min(1).max(256).optional(),
  do_sample: z.boolean().optional(),
  // 0 is greedy decoding, as on every route (the engine's resolve step applies it)
  temperature: z.number().min(0).max(1000).optional(),
  top_k: z.number().int().min(0).max(1_000_000).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  repetition_penalty: z.number().gt(0).max(1000).optional(),
  length_penalty: z.number().min(-1000).max(1000).optional(),
  no_repeat_ngram_size: z.number().int().min(0).max(1024).optional(),
  early_stopping: z.union([z.boolean(), z.literal('never')]).optional(),
  num_return_sequences: z.number().int().min(1).max(256).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  // not a `generate` setting: the text-generation pipeline's flag for what the answer holds (read by the route)
  return_full_text: z.boolean().optional(),
});

type HfSettings = z.infer<typeof hfSettingsSchema>;

/** Our option name -> its Hugging Face (snake_case) name; TGI and OpenAI use the same words where they share a setting. */
export const HF_OPTION_NAMES = {
  maxNewTokens: 'max_new_tokens',
  maxLength: 'max_length',
  minNewTokens: 'min_new_tokens',
  numBeams: 'num_beams',
  doSample: 'do_sample',
  temperature: 'temperature',
  topK: 'top_k',
  topP: 'top_p',
  repetitionPenalty: 'repetition_penalty',
  lengthPenalty: 'length_penalty',
  noRepeatNgramSize: 'no_repeat_ngram_size',
  earlyStopping: 'early_stopping',
  numReturnSequences: 'num_return_sequences',
  seed: 'seed',
} as const satisfies Record<keyof GenerationOptions, keyof HfSettings>;

/** snake_case -> camelCase {@link GenerationOptions}. */
export function hfSettingsToGenerationOptions(settings: HfSettings): GenerationOptions {
  const entries = Object.entries(HF_OPTION_NAMES).flatMap(([option, wire]) => {
    const value = settings[wire];
    return value === undefined ? [] : [[option, value] as const];
  });
  // the table pairs each option with the wire field of the same type, so the object is a GenerationOptions
  return Object.fromEntries(entries) as GenerationOptions;
}
