/** OpenAI's completions answer, its stream chunks (ended by `data: [DONE]`) and its error body. */

/** Why a choice stopped, in OpenAI's words. */
export type OpenAiFinishReason = 'stop' | 'length' | 'content_filter';

/** eos and stop sequences are `stop`; the token limit is `length`. */
export function openAiFinishReason(reason: 'eos' | 'length' | 'stop'): OpenAiFinishReason {
  return reason === 'length' ? 'length' : 'stop';
}

/** Log-probs of a choice (legacy completions format). */
export interface OpenAiLogprobs {
  readonly tokens: readonly string[];
  readonly token_logprobs: readonly (number | null)[];
  readonly top_logprobs: readonly Readonly<Record<string, number>>[] | null;
  readonly text_offset: readonly number[];
}

/** One choice; in stream chunks `finish_reason` is null until the last chunk of that choice. */
export interface OpenAiCompletionChoice {
  readonly index: number;
  readonly text: string;
  readonly logprobs: OpenAiLogprobs | null;
  readonly finish_reason: OpenAiFinishReason | null;
}

/** Token counts. */
export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** The answer (and, with `object` the same, each stream chunk). */
export interface OpenAiCompletionResponseV1 {
  readonly id: string;
  readonly object: 'text_completion';
  readonly created: number;
  readonly model: string;
  readonly system_fingerprint?: string;
  readonly choices: readonly OpenAiCompletionChoice[];
  readonly usage?: OpenAiUsage | null;
}

/** The usage object of completions and chat completions alike. */
export function openAiUsage(promptTokens: number, completionTokens: number): OpenAiUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** OpenAI's error body. */
export interface OpenAiErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}

/** What a completion answer is made of. */
export interface OpenAiCompletionParts {
  readonly id: string;
  readonly model: string;
  /** Unix time in seconds; default now. */
  readonly createdS?: number;
  readonly choices: readonly OpenAiCompletionChoice[];
  /** Counts; absent in stream chunks except the last when usage was asked for. */
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/**
 * Builds an answer or a stream chunk.
 * @example openAiCompletion({ id: 'cmpl-1', model: 't5', choices: [{ index: 0, text: 'Hallo', logprobs: null, finish_reason: 'stop' }], promptTokens: 5, completionTokens: 2 })
 */
export function openAiCompletion(parts: OpenAiCompletionParts): OpenAiCompletionResponseV1 {
  const usage =
    parts.promptTokens === undefined || parts.completionTokens === undefined
      ? undefined
      : openAiUsage(parts.promptTokens, parts.completionTokens);
  return {
    id: parts.id,
    object: 'text_completion',
    created: parts.createdS ?? Math.floor(Date.now() / 1000),
    model: parts.model,
    choices: parts.choices,
    ...(usage === undefined ? {} : { usage }),
  };
}

/** The data of the last stream event. */
export const OPENAI_STREAM_DONE = '[DONE]';
