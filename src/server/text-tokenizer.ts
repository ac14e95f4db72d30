/**
 * What the server needs from a tokenizer. The tokenizer module's `Tokenizer` satisfies it; the
 * server names only this shape so tests can pass a small deterministic one.
 */
export interface TextTokenizer {
  /** Text to ids with the special tokens the tokenizer adds (T5's trailing `</s>`, a BOS); `addSpecialTokens: false` is HF `add_special_tokens=False`, as chat templates are tokenized. */
  encode(text: string, options?: { readonly addSpecialTokens?: boolean }): number[];
  /** The same ids as `encode`, computed in slices with the event loop running between them; absent: `encode` is used. */
  encodeAsync?(text: string, options?: { readonly addSpecialTokens?: boolean }): Promise<number[]>;
  /**
   * Most characters (UTF-16 code units) one token stands for, apart from runs the tokenizer folds into
   * one token. A prompt longer than this times the token limit is refused before it is tokenized; absent: no such check.
   */
  readonly maxTokenChars?: number;
  /** Ids to text; `skipSpecialTokens` drops `</s>`, `<pad>`, `<unk>` and sentinels. */
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  isSpecial(id: number): boolean;
  /** Ids run from 0 to `vocabSize - 1`; absent: not checked before decoding. */
  readonly vocabSize?: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}
