/**
 * OpenAI chat `messages` read into what a chat template takes: a role and one string of content.
 * Content given as parts (`[{type: 'text', text}]`) is joined with "\n", as vLLM joins text parts;
 * images, audio, files and tool turns are refused by their path, since no model we serve reads them.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 * @see https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/chat_utils.py (_parse_chat_message_content_parts)
 */
import { z } from 'zod';
import type { ChatMessage } from '../../tokenizer/index.js';
import { PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { renderValue } from '../zod-error.js';
import { unsupported } from './sampling-fields.js';

/** Roles passed to the template as written; `tool` and `function` turns need tool calling, which we do not offer. */
const ROLES = ['system', 'developer', 'user', 'assistant'] as const;

const partSchema = z.object({ type: z.string(), text: z.unknown().optional() });
const messageSchema = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(z.unknown())]).nullish(),
  name: z.string().nullish(),
  tool_calls: z.array(z.unknown()).nullish(),
  function_call: z.unknown().optional(),
  tool_call_id: z.unknown().optional(),
  refusal: z.string().nullish(),
});

/** Most messages in one conversation. */
export const MAX_CHAT_MESSAGES = 4096;

function invalidMessage(field: string, given: unknown, expected: string): never {
  throw protocolError('invalid message', { code: PROTOCOL_ERROR_CODES.parameterInvalid, field, given: renderValue(given), expected });
}

function contentText(content: string | readonly unknown[], field: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((raw, index) => {
      const part = partSchema.safeParse(raw);
      if (!part.success) invalidMessage(`${field}[${index}]`, raw, "a content part {type: 'text', text: string}");
      if (part.data.type !== 'text') unsupported(`${field}[${index}].type`, part.data.type, "'text' (this model reads text only)");
      if (typeof part.data.text !== 'string') invalidMessage(`${field}[${index}].text`, part.data.text, 'a string');
      return part.data.text;
    })
    .join('\n');
}

/**
 * Checks a request's `messages` (at `field`, default `messages`) and flattens their content.
 * @example parseChatMessages([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]) // [{ role: 'user', content: 'Hi' }]
 */
export function parseChatMessages(raw: unknown, field = 'messages'): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) invalidMessage(field, raw, 'a non-empty list of messages');
  if (raw.length > MAX_CHAT_MESSAGES) invalidMessage(field, `${raw.length} messages`, `at most ${MAX_CHAT_MESSAGES} messages`);
  return raw.map((item: unknown, index): ChatMessage => {
    const at = `${field}[${index}]`;
    const parsed = messageSchema.safeParse(item);
    if (!parsed.success) invalidMessage(at, item, 'a message {role, content}');
    const message = parsed.data;
    if (!ROLES.some((role) => role === message.role)) unsupported(`${at}.role`, message.role, `one of ${ROLES.join(', ')}`);
    if (message.tool_calls != null && message.tool_calls.length > 0) unsupported(`${at}.tool_calls`, message.tool_calls, 'no tool calls');
    if (message.function_call != null) unsupported(`${at}.function_call`, message.function_call, 'no function calls');
    if (message.content == null) invalidMessage(`${at}.content`, message.content, 'a string or a list of text parts');
    return { role: message.role, content: contentText(message.content, `${at}.content`) };
  });
}
