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

/** Everything an {@link HfTokenizer} is built from. */
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

/** HF PreTrainedTokenizerFast over a tokenizer.json (transformers 4.36 results). */
export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly eosTokenIds: readonly number[];
  readonly bosTokenId?: number;
  readonly unkTokenId?: number;
  readonly specialTokensMap: SpecialTokensMap;
  readonly maxTokenChars: number;
  private readonly parts: HfTokenizerParts;

  constructor(parts: HfTokenizerParts) {
    this.parts = parts;
    this.vocabSize = parts.vocabSize;
    this.eosTokenId = parts.eosTokenId;
    this.eosTokenIds = [parts.eosTokenId];
    // transformers 4.36 generate pads with the EOS when the model has no pad token.
    this.padTokenId = parts.padTokenId ?? parts.eosTokenId;
    if (parts.bosTokenId !== undefined) this.bosTokenId = parts.bosTokenId;
    if (parts.unkTokenId !== undefined) this.unkTokenId = parts.unkTokenId;
    this.specialTokensMap = parts.specialTokensMap;
    this.maxTokenChars = parts.maxTokenChars;
  }

  /** `tokenizer(text, add_special_tokens=...).input_ids` (default true: what the post-processor adds, e.g. a BOS). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.parts.js.encode(wellFormed(text), { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  /** The same ids as {@link encode}, computed by the Rust library on libuv's thread pool (`sliceMs` has no use here). */
  async encodeAsync(text: string, options: EncodeAsyncOptions = {}): Promise<number[]> {
    const encoding = await this.parts.rust.encode(wellFormed(text), null, { addSpecialTokens: options.addSpecialTokens ?? true });
    return encoding.getIds();
  }

  /** `tokenizer.decode(ids, skip_special_tokens=...)`, cleaned up when tokenizer_config.json asks. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const kept: number[] = [];
    for (const id of ids) {
      if (!Number.isSafeInteger(id) || id < 0) {
        throw tokenizerError('TOKENIZER_ID_INVALID', 'token id is not a non-negative integer', { given: String(id) });
      }
      // Ids past the vocabulary are dropped, as the Rust decoder does.
      if (id < this.vocabSize) kept.push(id);
    }
    if (kept.length === 0) return '';
    const text = this.parts.js.decode(kept, {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: false,
    });
    return this.parts.cleanUpSpaces ? cleanUpTokenization(text) : text;
  }

  /** True for added tokens marked special (Qwen3's `<think>` is an added token but not special). */
  isSpecial(id: number): boolean {
    return this.parts.specialIds.has(id);
  }
}
