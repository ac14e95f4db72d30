/**
 * OpenAI's `POST /v1/chat/completions` request: the sampling fields it shares with completions,
 * `messages`, `max_completion_tokens` (wins over the older `max_tokens`), `logprobs` (the chosen
 * tokens' log-probabilities; alternatives, `top_logprobs` > 0, are refused) and `response_format`
 * `text`. Tool calling, structured output, audio and the other fields we cannot honour are 400s
 * naming the field, never ignored.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { z } from 'zod';
import type { ChatMessage } from '../../tokenizer/index.js';
import { PROTOCOL_ERROR_CODES } from '../errors.js';
import { zodError } from '../zod-error.js';
import { parseChatMessages } from './chat-messages.js';
import { openAiSampling, openAiSamplingShape, unsupported, type OpenAiSampling } from './sampling-fields.js';

/** Fields OpenAI (or vLLM) define that we refuse when set to anything but their neutral value, with why. */
const REFUSED: Readonly<Record<string, string>> = {
  tools: 'no tools (tool calling is not supported)',
  tool_choice: "absent or 'none' (tool calling is not supported)",
  parallel_tool_calls: 'absent (tool calling is not supported)',
  functions: 'no functions (function calling is not supported)',
  function_call: "absent or 'none' (function calling is not supported)",
  modalities: "absent or ['text']",
  audio: 'absent (audio output is not supported)',
  prediction: 'absent (predicted outputs are not supported)',
  web_search_options: 'absent (web search is not supported)',
  reasoning_effort: 'absent',
  verbosity: 'absent',
  service_tier: "absent, 'auto' or 'default'",
  chat_template: "absent (the model's own template is used)",
  chat_template_kwargs: 'absent',
  documents: 'absent',
  continue_final_message: 'false',
};

/** Values of refused fields that ask for nothing, so clients that always send them still work. */
function isNeutral(field: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if ((field === 'tool_choice' || field === 'function_call') && value === 'none') return true;
  if (field === 'modalities' && Array.isArray(value) && value.every((item) => item === 'text')) return true;
  if (field === 'service_tier' && (value === 'auto' || value === 'default')) return true;
  return field === 'continue_final_message' && value === false;
}

/** Schema of the request body. */
export const openAiChatRequestSchema = z.strictObject({
  ...openAiSamplingShape,
  messages: z.array(z.unknown()),
  max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  response_format: z.object({ type: z.string() }).passthrough().nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  // vLLM: render the assistant header at the end (default true)
  add_generation_prompt: z.boolean().nullish(),
  echo: z.boolean().nullish(),
  ...Object.fromEntries(Object.keys(REFUSED).map((field) => [field, z.unknown().optional()])),
});

/** A checked chat request. */
export interface OpenAiChatRequest extends OpenAiSampling {
  readonly messages: readonly ChatMessage[];
  /** Answer the chosen tokens' log-probabilities. */
  readonly logprobs: boolean;
  readonly addGenerationPrompt: boolean;
}

/**
 * Parses and checks a chat completions request.
 * @example parseOpenAiChatRequest({ model: 't5', messages: [{ role: 'user', content: 'Hello' }], max_completion_tokens: 32 })
 */
export function parseOpenAiChatRequest(body: unknown): OpenAiChatRequest {
  const parsed = openAiChatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const knownKeys = { '': Object.keys(openAiChatRequestSchema.shape) };
    throw zodError(parsed.error, body, { code: PROTOCOL_ERROR_CODES.parameterInvalid, what: 'chat completions request', knownKeys });
  }
  const r = parsed.data;
  const raw: Readonly<Record<string, unknown>> = r;
  for (const [field, expected] of Object.entries(REFUSED)) {
    if (!isNeutral(field, raw[field])) unsupported(field, raw[field], expected);
  }
  if (r.response_format != null && r.response_format.type !== 'text') {
    unsupported('response_format', r.response_format, "{type: 'text'} (JSON and schema-constrained output are not supported)");
  }
  if (r.top_logprobs != null && r.top_logprobs > 0) unsupported('top_logprobs', r.top_logprobs, '0 (alternative tokens are not reported)');
  if (r.echo === true) unsupported('echo', r.echo, 'false');
  const messages = parseChatMessages(r.messages);
  const maxTokens = r.max_completion_tokens ?? r.max_tokens;
  const maxTokensField = r.max_completion_tokens == null ? 'max_tokens' : 'max_completion_tokens';
  return {
    ...openAiSampling({ ...r, max_tokens: maxTokens }, { maxTokensField }),
    messages,
    logprobs: r.logprobs === true,
    addGenerationPrompt: r.add_generation_prompt ?? true,
  };
}
