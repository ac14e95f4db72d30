/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Drop `<pad>`, `</s>`, `<unk>` and `<extra_id_N>` (HF `skip_special_tokens`); default false, as in HF. */
  readonly skipSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.encodeAsync}. */
export interface EncodeAsyncOptions {
  /** Work between two yields to the event loop, in ms (default 10). */
  readonly sliceMs?: number;
}

/**
 * Text <-> token ids with Hugging Face T5Tokenizer's exact results.
 * @example const ids = tokenizer.encode('Hello world!'); // [..., 1]: `</s>` appended
 */
export interface Tokenizer {
  /** SentencePiece pieces plus the extra ids (the model's embedding may be padded further). */
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly unkTokenId: number;
  /**
   * Most UTF-16 code units one token stands for: the longest piece or special token. Longer stretches
   * only come from runs SentencePiece folds into one token (unknown characters, spaces, removed controls).
   */
  readonly maxTokenChars: number;
  /** HF `tokenizer(text).input_ids`: special tokens in the text recognised, `</s>` appended. */
  encode(text: string): number[];
  /** The same ids as {@link encode}, computed in slices so a long text never holds the event loop for long. */
  encodeAsync(text: string, options?: EncodeAsyncOptions): Promise<number[]>;
  /** HF `tokenizer.decode(ids)`, with clean_up_tokenization_spaces as the tokenizer config says. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** True for `<pad>`, `</s>`, `<unk>` and every `<extra_id_N>`. */
  isSpecial(id: number): boolean;
}
