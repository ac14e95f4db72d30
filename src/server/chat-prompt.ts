/**
 * A conversation turned into the model's prompt ids. A model with a chat template gets the
 * template's render, tokenized without adding special tokens (transformers 4.36
 * `apply_chat_template(tokenize=True)`; the template writes BOS and the turn markers itself). A
 * model without one (T5) gets the plain rule: the prompt is the content of the last message, which
 * must come from the user, tokenized as any prompt (`</s>` appended); earlier turns and system
 * messages are not shown to the model, since T5 checkpoints are trained on single prompts.
 */
import type { ChatMessage } from '../tokenizer/index.js';
import { invalidField } from './errors.js';
import { encodePrompt } from './generation.js';
import type { LoadedModel, ServerRuntime } from './runtime.js';

/** Options of {@link chatPromptIds}. */
export interface ChatPromptOptions {
  readonly addGenerationPrompt: boolean;
  /** Override whether special tokens are added on top (vLLM's `add_special_tokens`); default: as above. */
  readonly addSpecialTokens?: boolean;
}

/** The prompt text the model sees for a conversation and whether special tokens go on top by default. */
export function chatPromptText(
  model: LoadedModel,
  messages: readonly ChatMessage[],
  options: ChatPromptOptions,
): { text: string; field: string; addSpecialTokens: boolean } {
  if (model.chatTemplate !== undefined) {
    const text = model.chatTemplate.render(messages, { addGenerationPrompt: options.addGenerationPrompt });
    return { text, field: 'messages', addSpecialTokens: options.addSpecialTokens ?? false };
  }
  const index = messages.length - 1;
  const last = messages[index];
  if (last?.role !== 'user') {
    throw invalidField('this model has no chat template: the last message must be the user turn to answer', {
      field: `messages[${index}].role`,
      given: last === undefined ? 'no messages' : JSON.stringify(last.role),
      expected: '"user" (the prompt is the last user message)',
    });
  }
  return { text: last.content, field: `messages[${index}].content`, addSpecialTokens: options.addSpecialTokens ?? true };
}

/**
 * The prompt ids of a conversation, within the input limit like any prompt.
 * @example await chatPromptIds(runtime, model, [{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true })
 */
export async function chatPromptIds(
  runtime: ServerRuntime,
  model: LoadedModel,
  messages: readonly ChatMessage[],
  options: ChatPromptOptions,
): Promise<number[]> {
  const prompt = chatPromptText(model, messages, options);
  return encodePrompt(runtime, model, prompt.text, { field: prompt.field, addSpecialTokens: prompt.addSpecialTokens });
}
