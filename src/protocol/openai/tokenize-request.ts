/**
 * vLLM's `POST /tokenize` and `POST /detokenize`. Tokenize takes a `prompt` (special tokens added
 * unless `add_special_tokens` is false) or chat `messages` (rendered with the model's template,
 * `add_generation_prompt` default true, special tokens not added again unless asked) and answers
 * `{count, max_model_len, tokens}`; detokenize takes `tokens` and answers `{prompt}`.
 * @see https://docs.vllm.ai/en/v0.15.0/api/vllm/entrypoints/serve/tokenize/protocol/
 */
import { z } from 'zod';
import type { ChatMessage } from '../../tokenizer/index.js';
import { PROTOCOL_ERROR_CODES } from '../errors.js';
import { zodError } from '../zod-error.js';
import { parseChatMessages } from './chat-messages.js';
import { unsupported } from './sampling-fields.js';

const promptSchema = z.strictObject({
  model: z.string().nullish(),
  prompt: z.string(),
  add_special_tokens: z.boolean().nullish(),
  return_token_strs: z.boolean().nullish(),
});
const chatSchema = z.strictObject({
  model: z.string().nullish(),
  messages: z.array(z.unknown()),
  add_generation_prompt: z.boolean().nullish(),
  add_special_tokens: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
  return_token_strs: z.boolean().nullish(),
  tools: z.unknown().optional(),
  chat_template: z.unknown().optional(),
  chat_template_kwargs: z.unknown().optional(),
});
const detokenizeSchema = z.strictObject({
  model: z.string().nullish(),
  tokens: z.array(
    z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
  ),
});

/** A checked tokenize request: a plain prompt or a conversation. */
export type TokenizeRequest =
  | {
      readonly kind: 'prompt';
      readonly model?: string;
      readonly prompt: string;
      readonly addSpecialTokens: boolean;
      readonly returnTokenStrs: boolean;
    }
  | {
      readonly kind: 'chat';
      readonly model?: string;
      readonly messages: readonly ChatMessage[];
      readonly addGenerationPrompt: boolean;
      /** Set only when the caller asked; absent means what the chat route feeds the model. */
      readonly addSpecialTokens?: boolean;
      readonly returnTokenStrs: boolean;
    };

/** vLLM's tokenize answer. */
export interface TokenizeResponse {
  readonly count: number;
  readonly max_model_len: number;
  readonly tokens: readonly number[];
  readonly token_strs?: readonly string[];
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown, what: string, knownKeys: readonly string[]): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw zodError(parsed.error, body, { code: PROTOCOL_ERROR_CODES.parameterInvalid, what, knownKeys: { '': knownKeys } });
}

/**
 * Parses a tokenize request; `messages` in the body makes it the chat kind.
 * @example parseTokenizeRequest({ prompt: 'Hello' })
 */
export function parseTokenizeRequest(body: unknown): TokenizeRequest {
  const isChat = typeof body === 'object' && body !== null && 'messages' in body;
  if (!isChat) {
    const r = parseWith(promptSchema, body, 'tokenize request', Object.keys(promptSchema.shape));
    return {
      kind: 'prompt',
      ...(r.model == null ? {} : { model: r.model }),
      prompt: r.prompt,
      addSpecialTokens: r.add_special_tokens ?? true,
      returnTokenStrs: r.return_token_strs === true,
    };
  }
  const r = parseWith(chatSchema, body, 'tokenize request', Object.keys(chatSchema.shape));
  for (const field of ['tools', 'chat_template', 'chat_template_kwargs'] as const) {
    if (r[field] != null) unsupported(field, r[field], 'absent');
  }
  if (r.continue_final_message === true) unsupported('continue_final_message', true, 'false');
  return {
    kind: 'chat',
    ...(r.model == null ? {} : { model: r.model }),
    messages: parseChatMessages(r.messages),
    addGenerationPrompt: r.add_generation_prompt ?? true,
    ...(r.add_special_tokens == null ? {} : { addSpecialTokens: r.add_special_tokens }),
    returnTokenStrs: r.return_token_strs === true,
  };
}

/** Parses a detokenize request. */
export function parseDetokenizeRequest(body: unknown): { readonly model?: string; readonly tokens: readonly number[] } {
  const r = parseWith(detokenizeSchema, body, 'detokenize request', Object.keys(detokenizeSchema.shape));
  return { ...(r.model == null ? {} : { model: r.model }), tokens: r.tokens };
}
