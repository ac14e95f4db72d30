/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Drop the special tokens (HF `skip_special_tokens`; T5: `<pad>`, `</s>`, `<unk>`, `<extra_id_N>`); default false, as in HF. */
  readonly skipSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** HF `add_special_tokens` (default true): T5's `</s>`, or what a tokenizer.json post-processor adds (e.g. a BOS). */
  readonly addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.encodeAsync}. */
export interface EncodeAsyncOptions extends EncodeOptions {
  /** Work between two yields to the event loop, in ms (default 10). */
  readonly sliceMs?: number;
}

import type { SpecialTokensMap } from './special-tokens-map.js';

export type { SpecialTokensMap };

/**
 * Text <-> token ids with Hugging Face's exact results (T5Tokenizer, or the fast tokenizer of a tokenizer.json).
 * @example const ids = tokenizer.encode('Hello world!'); // T5: [..., 1], `</s>` appended
 */
export interface Tokenizer {
  /** Ids the tokenizer can produce: its vocabulary plus added tokens (the model's embedding may be padded further). */
  readonly vocabSize: number;
  /** Id that fills finished or padded rows: the pad token, else (decoder-only models without one) the first EOS, as HF generate does. */
  readonly padTokenId: number;
  /** The first of {@link eosTokenIds}. */
  readonly eosTokenId: number;
  /** Every id that ends a sequence (tokenizer_config's eos_token; generation_config may name more). */
  readonly eosTokenIds: readonly number[];
  /** The BOS id, where the tokenizer has one. */
  readonly bosTokenId?: number;
  readonly unkTokenId?: number;
  /** The special tokens by role, as strings (for chat templates). */
  readonly specialTokensMap: SpecialTokensMap;
  /**
   * Most UTF-16 code units one token stands for: the longest piece or special token. Longer stretches
   * only come from runs SentencePiece folds into one token (unknown characters, spaces, removed controls).
   */
  readonly maxTokenChars: number;
  /** HF `tokenizer(text).input_ids`: special tokens in the text recognised; T5 appends `</s>`. */
  encode(text: string, options?: EncodeOptions): number[];
  /** The same ids as {@link encode}, computed in slices so a long text never holds the event loop for long. */
  encodeAsync(text: string, options?: EncodeAsyncOptions): Promise<number[]>;
  /** HF `tokenizer.decode(ids)`, with clean_up_tokenization_spaces as the tokenizer config says. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** True for the tokens `skipSpecialTokens` drops (added tokens that are not special, e.g. Qwen3's `<think>`, are kept). */
  isSpecial(id: number): boolean;
}
