/** Limits on Hugging Face `generate` settings shared by the routes. */
import type { GenerationOverrides } from '../../engine/index.js';
import { invalidField } from '../errors.js';

/**
 * The server's limits on generation settings a protocol module parsed: the new-token cap (also
 * through `max_length`) and HF's rule that greedy/beam search returns at most `num_beams` sequences.
 */
export function checkSettings(settings: GenerationOverrides, options: { maxNewTokensCap: number; field: string }): GenerationOverrides {
  checkNewTokens(settings.maxNewTokens, options.maxNewTokensCap, `${options.field}.max_new_tokens`);
  // max_length counts the decoder start token; it must not sneak past the cap either
  if (settings.maxLength !== undefined) checkNewTokens(settings.maxLength - 1, options.maxNewTokensCap, `${options.field}.max_length`);
  checkBeams(settings, options.field);
  return settings;
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
