export { loadTokenizer, TOKENIZER_FILES, TOKENIZER_SOURCES } from './load-tokenizer.js';
export type { LoadTokenizerOptions, TokenizerSource } from './load-tokenizer.js';
export type { DecodeOptions, EncodeAsyncOptions, EncodeOptions, Tokenizer } from './tokenizer.js';
export { cleanUpTokenization } from './piece-decoder.js';
export { compileChatTemplate } from './chat/chat-template.js';
export type { ChatTemplate, CompileChatTemplateOptions } from './chat/chat-template.js';
export type { ChatMessage, ChatRenderOptions } from './chat/chat-message.js';
export { loadChatTemplate } from './chat/load-chat-template.js';
export type { SpecialTokensMap } from './special-tokens-map.js';
