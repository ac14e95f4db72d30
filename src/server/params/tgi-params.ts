/**
 * TGI `/generate` bodies: `{"inputs": str, "parameters": {...}}`, validated with TGI's own messages
 * and mapped to the backend's overrides. Unknown parameters are ignored, as TGI does; known ones
 * we cannot honour are refused (422) rather than silently dropped.
 */
import { z } from 'zod';
import type { GenerationOverrides } from '../../engine/index.js';
import { invalidField } from '../errors.js';
import { checkNewTokens } from './hf-params.js';

const optionalNumber = z.number().nullish();

/** Most stop sequences per request (TGI's default MAX_STOP_SEQUENCES). */
export const MAX_STOP_SEQUENCES = 4;
const optionalInt = z.number().int().nullish();

/** Schema of a TGI request body. */
export const tgiBodySchema = z.object({
  inputs: z.string({ error: 'a string' }),
  parameters: z
    .object({
      best_of: optionalInt,
      decoder_input_details: z.boolean().nullish(),
      details: z.boolean().nullish(),
      do_sample: z.boolean().nullish(),
      frequency_penalty: optionalNumber,
      grammar: z.null().optional(),
      max_new_tokens: optionalInt,
      repetition_penalty: optionalNumber,
      return_full_text: z.boolean().nullish(),
      seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
      stop: z.array(z.string().min(1, 'a non-empty string')).nullish(),
      temperature: optionalNumber,
      top_k: optionalInt,
      top_n_tokens: optionalInt,
      top_p: optionalNumber,
      truncate: optionalInt,
      typical_p: optionalNumber,
      watermark: z.boolean().nullish(),
      adapter_id: z.null().optional(),
    })
    .nullish(),
});

/** A parsed TGI body. */
export type TgiBody = z.output<typeof tgiBodySchema>;
type TgiParameters = NonNullable<TgiBody['parameters']>;

function refuse(field: string, message: string): never {
  throw invalidField(message, { field: `parameters.${field}` });
}

/** Checks TGI's rules and returns the overrides plus the TGI-only switches. */
export function tgiParamsToOverrides(
  parameters: TgiParameters | null | undefined,
  options: { maxNewTokensCap: number; streaming: boolean },
): { overrides: GenerationOverrides; details: boolean; decoderInputDetails: boolean; stop: string[]; truncate?: number } {
  const p = parameters ?? {};
  if (p.temperature != null && p.temperature <= 0) refuse('temperature', '`temperature` must be strictly positive');
  if (p.top_p != null && (p.top_p <= 0 || p.top_p >= 1)) refuse('top_p', '`top_p` must be > 0.0 and < 1.0');
  if (p.top_k != null && p.top_k <= 0) refuse('top_k', '`top_k` must be strictly positive');
  if (p.max_new_tokens != null && p.max_new_tokens <= 0) refuse('max_new_tokens', '`max_new_tokens` must be strictly positive');
  if (p.repetition_penalty != null && p.repetition_penalty <= 0) refuse('repetition_penalty', '`repetition_penalty` must be strictly positive');
  if (p.truncate != null && p.truncate <= 0) refuse('truncate', '`truncate` must be strictly positive');
  if (p.best_of != null && p.best_of > 1) refuse('best_of', '`best_of` > 1 is not supported');
  if (options.streaming && p.decoder_input_details === true) refuse('decoder_input_details', '`decoder_input_details` == true is not supported when streaming tokens');
  if (p.frequency_penalty != null && p.frequency_penalty !== 0) refuse('frequency_penalty', '`frequency_penalty` is not supported');
  if (p.typical_p != null && p.typical_p < 1) refuse('typical_p', '`typical_p` is not supported');
  if (p.top_n_tokens != null && p.top_n_tokens > 0) refuse('top_n_tokens', '`top_n_tokens` is not supported');
  if (p.watermark === true) refuse('watermark', '`watermark` is not supported');
  if ((p.stop?.length ?? 0) > MAX_STOP_SEQUENCES) refuse('stop', `\`stop\` supports up to ${MAX_STOP_SEQUENCES} stop sequences. Given: ${p.stop?.length ?? 0}`);
  checkNewTokens(p.max_new_tokens ?? undefined, options.maxNewTokensCap, 'parameters.max_new_tokens');
  const sampling = p.do_sample === true || (p.temperature != null && p.temperature !== 1) || p.top_k != null || p.top_p != null;
  const overrides: GenerationOverrides = {
    doSample: sampling,
    numBeams: 1,
    numReturnSequences: 1,
    ...(p.max_new_tokens == null ? {} : { maxNewTokens: p.max_new_tokens }),
    ...(p.temperature == null ? {} : { temperature: p.temperature }),
    ...(p.top_k == null ? {} : { topK: p.top_k }),
    ...(p.top_p == null ? {} : { topP: p.top_p }),
    ...(p.repetition_penalty == null ? {} : { repetitionPenalty: p.repetition_penalty }),
    ...(p.seed == null ? {} : { seed: p.seed }),
  };
  return {
    overrides,
    details: p.details === true,
    decoderInputDetails: p.decoder_input_details === true,
    stop: p.stop ?? [],
    ...(p.truncate == null ? {} : { truncate: p.truncate }),
  };
}
