/** One turn of a conversation as a chat template sees it (transformers passes `{role, content}` dicts). */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** Options of a chat render. */
export interface ChatRenderOptions {
  /** transformers' `add_generation_prompt`: end with the header of the assistant's turn. */
  readonly addGenerationPrompt: boolean;
}
