/**
 * Hugging Face `generate` settings by their snake_case names (what `/infer` takes under
 * `parameters` or `config`): a strict schema (unknown names and out-of-range values are 400s
 * naming the field) and the mapping to {@link GenerationSettings}.
 */
import { z } from 'zod';
import { definedOnly, type GenerationSettings } from './generation-settings.js';

const tokens = z.number().int().min(1).max(1_000_000);

/** Strict schema of HF generation settings. */
export const hfSettingsSchema = z.strictObject({
  max_new_tokens: tokens.optional(),
  max_length: z.number().int().min(2).max(1_000_001).optional(),
  min_new_tokens: z.number().int().min(0).max(1_000_000).optional(),
  num_beams: z.number().int().min(1).max(256).optional(),
  do_sample: z.boolean().optional(),
  temperature: z.number().gt(0).max(1000).optional(),
  top_k: z.number().int().min(0).max(1_000_000).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  repetition_penalty: z.number().gt(0).max(1000).optional(),
  length_penalty: z.number().min(-1000).max(1000).optional(),
  no_repeat_ngram_size: z.number().int().min(0).max(1024).optional(),
  early_stopping: z.union([z.boolean(), z.literal('never')]).optional(),
  num_return_sequences: z.number().int().min(1).max(256).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** Parsed snake_case settings. */
export type HfSettings = z.infer<typeof hfSettingsSchema>;

/** snake_case -> camelCase {@link GenerationSettings}. */
export function hfSettingsToGenerationSettings(settings: HfSettings): GenerationSettings {
  return definedOnly<GenerationSettings>({
    maxNewTokens: settings.max_new_tokens,
    maxLength: settings.max_length,
    minNewTokens: settings.min_new_tokens,
    numBeams: settings.num_beams,
    doSample: settings.do_sample,
    temperature: settings.temperature,
    topK: settings.top_k,
    topP: settings.top_p,
    repetitionPenalty: settings.repetition_penalty,
    lengthPenalty: settings.length_penalty,
    noRepeatNgramSize: settings.no_repeat_ngram_size,
    earlyStopping: settings.early_stopping,
    numReturnSequences: settings.num_return_sequences,
    seed: settings.seed,
  });
}
