/**
 * The request fields OpenAI's `/v1/completions` and `/v1/chat/completions` share (sampling, `n`,
 * `stop`, `stream`, penalties), plus the extra sampling fields vLLM accepts on both, and the one
 * mapping of them onto Hugging Face generation options.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 * @see https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html#extra-parameters_1
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { definedOnly, type GenerationOptions, type OptionFieldName } from '../generation-options.js';
import { HF_OPTION_NAMES } from '../hf-settings.js';
import { renderValue } from '../zod-error.js';

/** Schema fields of both requests. */
export const openAiSamplingShape = {
  model: z.string().optional(),
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
  best_of: z.number().int().min(1).max(128).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  user: z.string().nullish(),
  // vLLM's extra sampling parameters, top level as its clients send them
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
};

/** The shared fields as parsed. */
export type OpenAiSamplingFields = z.infer<z.ZodObject<typeof openAiSamplingShape>>;

/** What the shared fields mean, checked. Temperature 0 means greedy; above 0, sampling (OpenAI's default is 1). */
export interface OpenAiSampling {
  readonly model?: string;
  readonly settings: GenerationOptions;
  /** An option by the name this request wrote it under (`max_tokens`, `n`, ...). */
  readonly fieldName: OptionFieldName;
  readonly n: number;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly stop: readonly string[];
  readonly presencePenalty: number;
  readonly frequencyPenalty: number;
  readonly user?: string;
}

/** A 400 naming a parameter we parse but cannot honour, as OpenAI and vLLM answer it (not TGI's 422). */
export function unsupported(param: string, value: unknown, expected: string): never {
  throw protocolError('not supported', {
    code: PROTOCOL_ERROR_CODES.unsupported,
    httpStatus: 400,
    field: param,
    given: renderValue(value),
    expected,
  });
}

/** A 400 for a value out of what the parameter allows. */
export function invalid(param: string, value: unknown, expected: string): never {
  throw protocolError('invalid value', { code: PROTOCOL_ERROR_CODES.parameterInvalid, field: param, given: renderValue(value), expected });
}

/** OpenAI's names where they differ from Hugging Face's; the rest (temperature, top_p, seed, ...) are the same words. */
const OPENAI_NAMES: Partial<Record<keyof GenerationOptions, string>> = {
  maxNewTokens: 'max_tokens',
  minNewTokens: 'min_tokens',
  numReturnSequences: 'n',
};

/** vLLM extras the engine cannot honour: their neutral values pass, anything else is refused by name. */
const VLLM_NEUTRAL: readonly (readonly [keyof OpenAiSamplingFields, unknown, string])[] = [
  ['min_p', 0, '0 (min-p sampling is not supported)'],
  ['length_penalty', 1, '1 (beam search is not supported)'],
  ['use_beam_search', false, 'false (beam search is not supported)'],
  ['ignore_eos', false, 'false'],
  ['skip_special_tokens', true, 'true'],
  ['include_stop_str_in_output', false, 'false (stop strings are cut from the text)'],
  ['spaces_between_special_tokens', true, 'true'],
];

function refuseVllmExtras(r: OpenAiSamplingFields): void {
  for (const [param, neutral, expected] of VLLM_NEUTRAL) {
    const value = r[param];
    if (value != null && value !== neutral) unsupported(param, value, expected);
  }
  if (r.stop_token_ids != null && r.stop_token_ids.length > 0) unsupported('stop_token_ids', r.stop_token_ids, 'an empty list (use stop)');
}

/** Options of {@link openAiSampling}. */
export interface OpenAiSamplingOptions {
  /** New tokens when the request gives no limit (completions: OpenAI's 16; chat: the model's own default). */
  readonly defaultMaxTokens?: number;
  /** Where the token limit was written (`max_tokens`, or chat's `max_completion_tokens`). */
  readonly maxTokensField?: string;
}

/** Checks the shared fields and maps them onto generation options. */
export function openAiSampling(r: OpenAiSamplingFields, options: OpenAiSamplingOptions = {}): OpenAiSampling {
  if (r.logit_bias != null && Object.keys(r.logit_bias).length > 0) unsupported('logit_bias', r.logit_bias, 'no logit_bias');
  const n = r.n ?? 1;
  const temperature = r.temperature ?? 1;
  if (r.best_of != null && r.best_of !== n) unsupported('best_of', r.best_of, `absent or equal to n (${n})`);
  if (temperature === 0 && n > 1) invalid('n', n, '1 when temperature is 0 (greedy decoding gives one answer)');
  refuseVllmExtras(r);
  const sampling = temperature > 0;
  const maxTokensField = options.maxTokensField ?? 'max_tokens';
  const settings = definedOnly<GenerationOptions>({
    maxNewTokens: r.max_tokens ?? options.defaultMaxTokens,
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
  const names: Partial<Record<keyof GenerationOptions, string>> = { ...OPENAI_NAMES, maxNewTokens: maxTokensField };
  return {
    ...(r.model == null ? {} : { model: r.model }),
    settings,
    fieldName: (option) => names[option] ?? HF_OPTION_NAMES[option],
    n,
    stream: r.stream === true,
    includeUsage: r.stream_options?.include_usage === true,
    stop: r.stop == null ? [] : typeof r.stop === 'string' ? [r.stop] : r.stop,
    presencePenalty: r.presence_penalty ?? 0,
    frequencyPenalty: r.frequency_penalty ?? 0,
    ...(r.user == null ? {} : { user: r.user }),
  };
}
