/**
 * What the server needs from a tokenizer. The tokenizer module's `Tokenizer` satisfies it; the
 * server names only this shape so tests can pass a small deterministic one.
 */
export interface TextTokenizer {
  /** Text to ids, with the trailing `</s>`. */
  encode(text: string): number[];
  /** Ids to text; `skipSpecialTokens` drops `</s>`, `<pad>`, `<unk>` and sentinels. */
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  isSpecial(id: number): boolean;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}
