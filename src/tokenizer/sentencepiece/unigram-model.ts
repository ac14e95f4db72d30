/** SentencePiece piece types (ModelProto.SentencePiece.Type). */
export const PieceType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** How SentencePiece normalizes text before the unigram search (NormalizerSpec). */
export interface NormalizerSpec {
  /** Darts double-array trie + replacement strings (the `nmt_nfkc` rules); empty: identity. */
  readonly precompiledCharsmap: Uint8Array;
  /** Put a `▁` before the text, so the first word looks like every other word. */
  readonly addDummyPrefix: boolean;
  /** Drop leading and trailing spaces and collapse runs of spaces into one. */
  readonly removeExtraWhitespaces: boolean;
  /** Write spaces as `▁` (U+2581). */
  readonly escapeWhitespaces: boolean;
}

/** A unigram model as both spiece.model and tokenizer.json describe it; ids are vocabulary positions. */
export interface UnigramModel {
  readonly pieces: readonly string[];
  /** Log-probabilities, float32 like SentencePiece keeps them. */
  readonly scores: Float32Array;
  /** One {@link PieceType} per piece. */
  readonly types: Uint8Array;
  readonly unkId: number;
  readonly normalizer: NormalizerSpec;
}
