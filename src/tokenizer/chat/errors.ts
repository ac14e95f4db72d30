import { errorFactory } from '../../config/index.js';
import { boundedFacts } from '../../model/index.js';

/** Error codes of chat templates. */
export type ChatTemplateErrorCode =
  /** The model's template cannot be read or compiled. */
  | 'TOKENIZER_CHAT_TEMPLATE_INVALID'
  /** The template called `raise_exception(message)` for this conversation (e.g. roles that do not alternate). */
  | 'TOKENIZER_CHAT_TEMPLATE_RAISED'
  /** Rendering this conversation failed inside the template engine. */
  | 'TOKENIZER_CHAT_TEMPLATE_FAILED';

/** One constructor for chat-template errors; the conversation is the caller's, so 400 (as transformers' TemplateError reaches vLLM's clients). */
export const chatTemplateError = errorFactory<ChatTemplateErrorCode>({ httpStatus: 400, shapeFacts: (facts) => boundedFacts(facts) });
