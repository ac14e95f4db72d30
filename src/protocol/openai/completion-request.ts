/**
 * OpenAI's `POST /v1/completions` request: a strict schema with OpenAI's defaults (max_tokens 16,
 * temperature 1, top_p 1, n 1), plus the extra sampling fields vLLM accepts. Bad values and
 * features we do not offer (suffix, logit_bias, token-id prompts, min_p) are 400s naming the
 * parameter, as OpenAI and vLLM answer them.
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { definedOnly, type GenerationOptions, type OptionFieldName } from '../generation-options.js';
import { HF_OPTION_NAMES } from '../hf-settings.js';
import { renderValue, zodError } from '../zod-error.js';

/** Schema of the request body. */
export const openAiCompletionRequestSchema = z.strictObject({
  model: z.string().optional(),
  prompt: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().gt(0).max(1000).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
  best_of: z.number().int().min(1).max(128).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  suffix: z.string().nullish(),
  user: z.string().nullish(),
  // vLLM's extra sampling parameters for /v1/completions, top level as its clients send them
  // (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html#extra-parameters_1)
  top_k: z.number().int().min(-1).max(1_000_000).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  min_tokens: z.number().int().min(0).max(1_000_000).nullish(),
  length_penalty: z.number().min(-1000).max(1000).nullish(),
  use_beam_search: z.boolean().nullish(),
  ignore_eos: z.boolean().nullish(),
  stop_token_ids: z.array(z.number().int()).nullish(),
  skip_special_tokens: z.boolean().nullish(),
  include_stop_str_in_output: z.boolean().nullish(),
  spaces_between_special_tokens: z.boolean().nullish(),
});

/** The raw request. */
export type OpenAiCompletionRequestV1 = z.infer<typeof openAiCompletionRequestSchema>;

/** A checked request. Temperature 0 means greedy; above 0, sampling (OpenAI's default is 1). */
export interface OpenAiCompletionRequest {
  readonly model?: string;
  /** One prompt per entry; each gets `n` choices. */
  readonly prompts: readonly string[];
  /** Where each prompt was written: `prompt`, or `prompt[i]` for a list. */
  readonly promptFields: readonly string[];
  readonly settings: GenerationOptions;
  /** An option by the name this request wrote it under (`max_tokens`, `n`, ...). */
  readonly fieldName: OptionFieldName;
  readonly n: number;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly stop: readonly string[];
  /** Top log-probs per token asked for (null = none). */
  readonly logprobs: number | null;
  readonly echo: boolean;
  readonly presencePenalty: number;
  readonly frequencyPenalty: number;
  readonly user?: string;
}

/** Options for {@link parseOpenAiCompletionRequest}. */
export interface OpenAiLimits {
  /** Most prompts in one request (TGI's MAX_CLIENT_BATCH_SIZE); default 32. */
  readonly maxPrompts?: number;
}

function unsupported(param: string, value: unknown, expected: string): never {
  // 400 as OpenAI and vLLM answer unsupported values (not TGI's 422): clients map 400 to a bad request
  throw protocolError('not supported', {
    code: PROTOCOL_ERROR_CODES.unsupported,
    httpStatus: 400,
    field: param,
    given: renderValue(value),
    expected,
  });
}

function invalid(param: string, value: unknown, expected: string): never {
  throw protocolError('invalid value', { code: PROTOCOL_ERROR_CODES.parameterInvalid, field: param, given: renderValue(value), expected });
}

/** OpenAI's names where they differ from Hugging Face's; the rest (temperature, top_p, seed, ...) are the same words. */
const OPENAI_NAMES: Partial<Record<keyof GenerationOptions, string>> = {
  maxNewTokens: 'max_tokens',
  minNewTokens: 'min_tokens',
  numReturnSequences: 'n',
};

function openAiFieldName(option: keyof GenerationOptions): string {
  return OPENAI_NAMES[option] ?? HF_OPTION_NAMES[option];
}

/** vLLM extras the engine cannot honour: their neutral values pass, anything else is refused by name. */
const VLLM_NEUTRAL: readonly (readonly [keyof OpenAiCompletionRequestV1, unknown, string])[] = [
  ['min_p', 0, '0 (min-p sampling is not supported)'],
  ['length_penalty', 1, '1 (beam search is not supported)'],
  ['use_beam_search', false, 'false (beam search is not supported)'],
  ['ignore_eos', false, 'false'],
  ['skip_special_tokens', true, 'true'],
  ['include_stop_str_in_output', false, 'false (stop strings are cut from the text)'],
  ['spaces_between_special_tokens', true, 'true'],
];

function refuseVllmExtras(r: OpenAiCompletionRequestV1): void {
  for (const [param, neutral, expected] of VLLM_NEUTRAL) {
    const value = r[param];
    if (value != null && value !== neutral) unsupported(param, value, expected);
  }
  if (r.stop_token_ids != null && r.stop_token_ids.length > 0) unsupported('stop_token_ids', r.stop_token_ids, 'an empty list (use stop)');
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
  if (r.logit_bias != null && Object.keys(r.logit_bias).length > 0) unsupported('logit_bias', r.logit_bias, 'no logit_bias');
  const prompts = typeof r.prompt === 'string' ? [r.prompt] : r.prompt;
  if (!prompts.every((prompt): prompt is string => typeof prompt === 'string'))
    unsupported('prompt', r.prompt, 'a string or a list of strings (token-id prompts are not supported)');
  if (prompts.length === 0) invalid('prompt', r.prompt, 'a string or a non-empty list of strings');
  const maxPrompts = limits.maxPrompts ?? 32;
  if (prompts.length > maxPrompts) invalid('prompt', `${prompts.length} prompts`, `at most ${maxPrompts} prompts (batch size exceeded)`);
  const n = r.n ?? 1;
  const temperature = r.temperature ?? 1;
  if (r.best_of != null && r.best_of !== n) unsupported('best_of', r.best_of, `absent or equal to n (${n})`);
  if (temperature === 0 && n > 1) invalid('n', n, '1 when temperature is 0 (greedy decoding gives one answer)');
  refuseVllmExtras(r);
  const sampling = temperature > 0;
  const settings = definedOnly<GenerationOptions>({
    maxNewTokens: r.max_tokens ?? 16,
    minNewTokens: r.min_tokens ?? undefined,
    doSample: sampling,
    temperature: sampling ? temperature : undefined,
    topP: sampling ? (r.top_p ?? 1) : undefined,
    // vLLM's -1 (and 0) mean "all tokens", HF's 0
    topK: sampling ? Math.max(0, r.top_k ?? 0) : undefined,
    numReturnSequences: n,
    repetitionPenalty: r.repetition_penalty ?? undefined,
    seed: r.seed ?? undefined,
  });
  return {
    ...(r.model == null ? {} : { model: r.model }),
    prompts,
    promptFields: typeof r.prompt === 'string' ? ['prompt'] : prompts.map((_, index) => `prompt[${index}]`),
    settings,
    fieldName: openAiFieldName,
    n,
    stream: r.stream === true,
    includeUsage: r.stream_options?.include_usage === true,
    stop: r.stop == null ? [] : typeof r.stop === 'string' ? [r.stop] : r.stop,
    logprobs: r.logprobs ?? null,
    echo: r.echo === true,
    presencePenalty: r.presence_penalty ?? 0,
    frequencyPenalty: r.frequency_penalty ?? 0,
    ...(r.user == null ? {} : { user: r.user }),
  };
}
