/** Encodes one stretch of text (no special tokens in it) into piece ids, exactly as SentencePiece's EncodeAsIds. */
export interface PieceEncoder {
  encodeIds(text: string): number[];
}
