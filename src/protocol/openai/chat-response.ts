/**
 * OpenAI's chat completion answer (`chat.completion`) and its stream chunks
 * (`chat.completion.chunk`: the first of a choice carries `delta.role`, the last its
 * `finish_reason`; with `stream_options.include_usage` one more chunk with no choices carries the
 * usage, then `data: [DONE]`).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
import { openAiUsage, type OpenAiFinishReason, type OpenAiUsage } from './completion-response.js';

/** One token's log-probability in the chat format. */
export interface OpenAiChatTokenLogprob {
  readonly token: string;
  readonly logprob: number;
  /** UTF-8 bytes of `token`. */
  readonly bytes: readonly number[];
  /** Alternatives: always empty (top_logprobs > 0 is refused). */
  readonly top_logprobs: readonly never[];
}

/** Log-probabilities of a choice (or of a chunk's tokens). */
export interface OpenAiChatLogprobs {
  readonly content: readonly OpenAiChatTokenLogprob[];
}

/** One choice of a whole answer. */
export interface OpenAiChatChoice {
  readonly index: number;
  readonly message: { readonly role: 'assistant'; readonly content: string; readonly refusal: null };
  readonly logprobs: OpenAiChatLogprobs | null;
  readonly finish_reason: OpenAiFinishReason;
}

/** One choice of a stream chunk. */
export interface OpenAiChatChunkChoice {
  readonly index: number;
  readonly delta: { readonly role?: 'assistant'; readonly content?: string };
  readonly logprobs: OpenAiChatLogprobs | null;
  readonly finish_reason: OpenAiFinishReason | null;
}

/** A whole answer. */
export interface OpenAiChatCompletionV1 {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly OpenAiChatChoice[];
  readonly usage: OpenAiUsage;
}

/** A stream chunk. */
export interface OpenAiChatChunkV1 {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly OpenAiChatChunkChoice[];
  readonly usage?: OpenAiUsage;
}

/** What every object of one chat completion shares. */
export interface OpenAiChatHead {
  readonly id: string;
  readonly model: string;
  /** Unix time in seconds. */
  readonly createdS: number;
}

/** A token as the chat log-probs list it. */
export function openAiChatTokenLogprob(token: string, logprob: number): OpenAiChatTokenLogprob {
  return { token, logprob, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: [] };
}

/**
 * The whole answer.
 * @example openAiChatCompletion({ id: 'chatcmpl-1', model: 't5', createdS: 0 }, [choice], { promptTokens: 5, completionTokens: 2 })
 */
export function openAiChatCompletion(
  head: OpenAiChatHead,
  choices: readonly OpenAiChatChoice[],
  counts: { readonly promptTokens: number; readonly completionTokens: number },
): OpenAiChatCompletionV1 {
  return {
    id: head.id,
    object: 'chat.completion',
    created: head.createdS,
    model: head.model,
    choices,
    usage: openAiUsage(counts.promptTokens, counts.completionTokens),
  };
}

/** A stream chunk; `usage` only on the last one, when it was asked for. */
export function openAiChatChunk(head: OpenAiChatHead, choices: readonly OpenAiChatChunkChoice[], usage?: OpenAiUsage): OpenAiChatChunkV1 {
  return {
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.createdS,
    model: head.model,
    choices,
    ...(usage === undefined ? {} : { usage }),
  };
}
