/**
 * OpenAI `/v1/completions` bodies, validated and mapped to the backend's overrides. Fields OpenAI
 * defines that we cannot honour (echo, logprobs, logit_bias, suffix, penalties) are refused by name.
 */
import { z } from 'zod';
import type { GenerationOverrides } from '../../engine/index.js';
import { invalidField } from '../errors.js';
import { checkNewTokens } from './hf-params.js';

/** Schema of a completions request. */
export const completionsBodySchema = z.object({
  model: z.string().nullish(),
  prompt: z.union([z.string(), z.array(z.string()).min(1, 'at least one prompt')], { error: 'a string or a list of strings' }),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(0).max(1_000_000).nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4, 'at most 4 stop sequences')]).nullish(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().gt(0).max(100).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
  best_of: z.number().int().min(1).max(16).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  suffix: z.string().nullish(),
  user: z.string().nullish(),
});

/** A parsed completions request. */
export type CompletionsBody = z.output<typeof completionsBodySchema>;

function refuse(field: string, message: string): never {
  throw invalidField(message, { field });
}

/** The stop sequences of a request (a string or a list; empty strings ignored). */
export function completionStops(body: CompletionsBody): string[] {
  const stops = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? []);
  return stops.filter((stop) => stop.length > 0);
}

/** OpenAI defaults (max_tokens 16, temperature 1 = sampling; 0 = greedy) mapped to overrides. */
export function completionsToOverrides(body: CompletionsBody, options: { maxNewTokensCap: number }): GenerationOverrides {
  if (body.echo === true) refuse('echo', 'echo is not supported');
  if (body.logprobs != null && body.logprobs > 0) refuse('logprobs', 'logprobs are not supported');
  if (body.suffix != null && body.suffix.length > 0) refuse('suffix', 'suffix is not supported');
  if (body.logit_bias != null && Object.keys(body.logit_bias).length > 0) refuse('logit_bias', 'logit_bias is not supported');
  if (body.frequency_penalty != null && body.frequency_penalty !== 0) refuse('frequency_penalty', 'frequency_penalty is not supported; use repetition_penalty');
  if (body.presence_penalty != null && body.presence_penalty !== 0) refuse('presence_penalty', 'presence_penalty is not supported; use repetition_penalty');
  if (body.best_of != null && body.best_of !== (body.n ?? 1)) refuse('best_of', 'best_of must equal n');
  const maxNewTokens = body.max_tokens ?? 16;
  checkNewTokens(maxNewTokens, options.maxNewTokensCap, 'max_tokens');
  const temperature = body.temperature ?? 1;
  const sampling = temperature > 0;
  return {
    maxNewTokens,
    numBeams: 1,
    numReturnSequences: 1,
    doSample: sampling,
    ...(sampling ? { temperature } : {}),
    ...(sampling && body.top_p != null ? { topP: body.top_p } : {}),
    ...(sampling && body.top_k != null ? { topK: body.top_k } : {}),
    ...(body.repetition_penalty == null ? {} : { repetitionPenalty: body.repetition_penalty }),
    ...(body.seed == null ? {} : { seed: body.seed }),
  };
}
