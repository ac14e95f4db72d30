/**
 * The parts of an engine's `/v1/completions` answer we read, parsed from `unknown`: per choice its index, token
 * ids, finish reason and the chosen tokens' log-probabilities; and both error shapes the engines write:
 * vLLM's current `{"error": {"message", "type", "param", "code"}}` and the older `{"object": "error", "message",
 * "type", "param", "code"}` that TensorRT-LLM keeps (its openai_protocol.py `ErrorResponse`).
 */
import { z } from 'zod';

const choiceSchema = z.object({
  index: z.number().int().nonnegative(),
  token_ids: z.array(z.number().int().nonnegative()).nullish(),
  finish_reason: z.string().nullish(),
  // vLLM: the stop string or token id that stopped it; null when EOS did
  stop_reason: z.union([z.string(), z.number()]).nullish(),
  logprobs: z.object({ token_logprobs: z.array(z.number().nullable()).nullish() }).nullish(),
});

/** One choice of a completion or of one stream chunk. */
export type EngineChoice = z.infer<typeof choiceSchema>;

const completionSchema = z.object({ choices: z.array(choiceSchema) });

const errorSchema = z.union([
  z.object({ error: z.object({ message: z.string() }) }).transform((body) => body.error.message),
  z.object({ object: z.literal('error'), message: z.string() }).transform((body) => body.message),
]);

/** The choices of a completion or stream chunk; `undefined` when the value is not one. */
export function parseChoices(value: unknown): EngineChoice[] | undefined {
  const parsed = completionSchema.safeParse(value);
  return parsed.success ? parsed.data.choices : undefined;
}

/** The engine's error message when `value` is one of its error bodies. */
export function engineErrorMessage(value: unknown): string | undefined {
  const parsed = errorSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses JSON text, `undefined` when it is not JSON. */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
