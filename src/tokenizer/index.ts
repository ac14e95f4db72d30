export { loadTokenizer, TOKENIZER_FILES } from './load-tokenizer.js';
export type { LoadTokenizerOptions, TokenizerSource } from './load-tokenizer.js';
export type { DecodeOptions, EncodeAsyncOptions, Tokenizer } from './tokenizer.js';
export { compileChatTemplate } from './chat/chat-template.js';
export type { ChatTemplate, CompileChatTemplateOptions } from './chat/chat-template.js';
export type { ChatMessage, ChatRenderOptions } from './chat/chat-message.js';
export { loadChatTemplate, readSpecialTokens } from './chat/load-chat-template.js';
export type { SpecialTokensMap } from './chat/special-tokens-map.js';
