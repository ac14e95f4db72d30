/**
 * OpenAI's `POST /v1/completions` request: a strict schema with OpenAI's defaults (max_tokens 16,
 * temperature 1, top_p 1, n 1), plus the extra sampling fields vLLM accepts. A prompt is text or
 * token ids ("array of tokens, or array of token arrays",
 * https://platform.openai.com/docs/api-reference/completions/create). Bad values and features we do
 * not offer (suffix, logit_bias, min_p) are 400s naming the parameter, as OpenAI and vLLM answer them.
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES } from '../errors.js';
import { zodError } from '../zod-error.js';
import { invalid, openAiSampling, openAiSamplingShape, unsupported, type OpenAiSampling } from './sampling-fields.js';

/** Schema of the request body. */
export const openAiCompletionRequestSchema = z.strictObject({
  ...openAiSamplingShape,
  prompt: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int().nonnegative()).min(1),
    z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
  ]),
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
});

/** The raw request. */
export type OpenAiCompletionRequestV1 = z.infer<typeof openAiCompletionRequestSchema>;

/** A checked request. */
export interface OpenAiCompletionRequest extends OpenAiSampling {
  /** One prompt per entry, text or token ids; each gets `n` choices. */
  readonly prompts: readonly (string | readonly number[])[];
  /** Where each prompt was written: `prompt`, or `prompt[i]` for a list. */
  readonly promptFields: readonly string[];
  /** Top log-probs per token asked for (null = none). */
  readonly logprobs: number | null;
  readonly echo: boolean;
}

/** Options for {@link parseOpenAiCompletionRequest}. */
export interface OpenAiLimits {
  /** Most prompts in one request (TGI's MAX_CLIENT_BATCH_SIZE); default 32. */
  readonly maxPrompts?: number;
}

/**
 * Parses and checks a completions request.
 * @example parseOpenAiCompletionRequest({ model: 't5', prompt: 'Hello', max_tokens: 32 })
 */
export function parseOpenAiCompletionRequest(body: unknown, limits: OpenAiLimits = {}): OpenAiCompletionRequest {
  const parsed = openAiCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const knownKeys = { '': Object.keys(openAiCompletionRequestSchema.shape) };
    throw zodError(parsed.error, body, { code: PROTOCOL_ERROR_CODES.parameterInvalid, what: 'completions request', knownKeys });
  }
  const r = parsed.data;
  if (r.suffix != null) unsupported('suffix', r.suffix, 'no suffix (insertion is not supported)');
  const prompts = promptList(r.prompt);
  if (prompts.length === 0) invalid('prompt', r.prompt, 'a string or a non-empty list of strings');
  const maxPrompts = limits.maxPrompts ?? 32;
  if (prompts.length > maxPrompts) invalid('prompt', `${prompts.length} prompts`, `at most ${maxPrompts} prompts (batch size exceeded)`);
  return {
    ...openAiSampling(r, { defaultMaxTokens: 16 }),
    prompts,
    promptFields:
      typeof r.prompt === 'string' || typeof r.prompt[0] === 'number' ? ['prompt'] : prompts.map((_, index) => `prompt[${index}]`),
    logprobs: r.logprobs ?? null,
    echo: r.echo === true,
  };
}

/** One entry per prompt: a list of ids is one prompt, a list of id lists many. */
function promptList(prompt: OpenAiCompletionRequestV1['prompt']): (string | readonly number[])[] {
  if (typeof prompt === 'string') return [prompt];
  if (prompt.every((item): item is number => typeof item === 'number')) return prompt.length === 0 ? [] : [prompt];
  return prompt.filter((item): item is string | number[] => typeof item !== 'number');
}
