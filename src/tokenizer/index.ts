export { loadTokenizer, TOKENIZER_FILES, TOKENIZER_SOURCES } from './load-tokenizer.js';
export type { LoadTokenizerOptions, TokenizerSource } from './load-tokenizer.js';
export type { DecodeOptions, EncodeAsyncOptions, EncodeOptions, SpecialTokensMap, Tokenizer } from './tokenizer.js';
export { cleanUpTokenization } from './piece-decoder.js';
