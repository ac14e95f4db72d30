// A tokenizer.json (BPE: byte-level, or SentencePiece-style with byte fallback) served by Hugging Face's own
// code, as transformers' PreTrainedTokenizerFast does, plus its clean_up_tokenization_spaces on decode.
// Both of their JavaScript-reachable implementations gave HF's ids and text on every fixture case
// (bench/tokenizer-candidates.ts); the pure-JS port answers synchronously (encode, and decode, which the
// server calls per streamed token), the Rust library encodes off the event loop (encodeAsync): its napi
// `EncodeTask` is a napi-rs `Task`, computed on libuv's thread pool
// (https://github.com/huggingface/tokenizers/blob/main/bindings/node/src/tasks/tokenizer.rs,
// https://napi.rs/docs/concepts/async-task).
import type { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer as RustTokenizer } from 'tokenizers';
import { tokenizerError } from './errors.js';
import { cleanUpTokenization } from './piece-decoder.js';
import type { DecodeOptions, EncodeAsyncOptions, EncodeOptions, SpecialTokensMap, Tokenizer } from './tokenizer.js';

/** Everything {@link hfTokenizer} builds a tokenizer from. */
export interface HfTokenizerParts {
  readonly js: JsTokenizer;
  readonly rust: RustTokenizer;
  readonly vocabSize: number;
  readonly maxTokenChars: number;
  /** Ids of the added tokens marked `special` (what skip_special_tokens drops). */
  readonly specialIds: ReadonlySet<number>;
  readonly specialTokensMap: SpecialTokensMap;
  readonly eosTokenId: number;
  readonly bosTokenId?: number;
  readonly unkTokenId?: number;
  readonly padTokenId?: number;
  readonly cleanUpSpaces: boolean;
}

// A lone UTF-16 surrogate has no UTF-8 form; both implementations then see U+FFFD, as the T5 path does.
const wellFormed = (text: string): string => text.replace(/\p{Cs}/gu, '\ufffd');

/** `tokenizer.decode(ids, skip_special_tokens=...)`, cleaned up when tokenizer_config.json asks. */
function decodeIds(parts: HfTokenizerParts, ids: readonly number[], options: DecodeOptions): string {
  const kept: number[] = [];
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw tokenizerError('TOKENIZER_ID_INVALID', 'token id is not a non-negative integer', { given: String(id) });
    }
    // Ids past the vocabulary are dropped, as the Rust decoder does.
    if (id < parts.vocabSize) kept.push(id);
  }
  if (kept.length === 0) return '';
  const text = parts.js.decode(kept, { skip_special_tokens: options.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
  return parts.cleanUpSpaces ? cleanUpTokenization(text) : text;
}

/**
 * HF PreTrainedTokenizerFast over a tokenizer.json (transformers 4.36 results). `encode` defaults to
 * add_special_tokens true (what the post-processor adds, e.g. a BOS); `isSpecial` is true for added tokens
 * marked special (Qwen3's `<think>` is added but not special); `encodeAsync`'s `sliceMs` has no use here.
 */
export function hfTokenizer(parts: HfTokenizerParts): Tokenizer {
  const { bosTokenId, unkTokenId } = parts;
  return {
    vocabSize: parts.vocabSize,
    eosTokenId: parts.eosTokenId,
    eosTokenIds: [parts.eosTokenId],
    // transformers 4.36 generate pads with the EOS when the model has no pad token.
    padTokenId: parts.padTokenId ?? parts.eosTokenId,
    ...(bosTokenId === undefined ? {} : { bosTokenId }),
    ...(unkTokenId === undefined ? {} : { unkTokenId }),
    specialTokensMap: parts.specialTokensMap,
    maxTokenChars: parts.maxTokenChars,
    encode: (text: string, options: EncodeOptions = {}): number[] =>
      parts.js.encode(wellFormed(text), { add_special_tokens: options.addSpecialTokens ?? true }).ids,
    encodeAsync: async (text: string, options: EncodeAsyncOptions = {}): Promise<number[]> => {
      const encoding = await parts.rust.encode(wellFormed(text), null, { addSpecialTokens: options.addSpecialTokens ?? true });
      return encoding.getIds();
    },
    decode: (ids: readonly number[], options: DecodeOptions = {}): string => decodeIds(parts, ids, options),
    isSpecial: (id: number): boolean => parts.specialIds.has(id),
  };
}
