import type { Steps } from '../time-slices.js';

/** Encodes one stretch of text (no special tokens in it) into piece ids, exactly as SentencePiece's EncodeAsIds. */
export interface PieceEncoder {
  encodeIds(text: string): number[];
}

/** A {@link PieceEncoder} whose work can also run in bounded steps (see time-slices.ts). */
export interface SteppedPieceEncoder extends PieceEncoder {
  /** The same ids as `encodeIds`, pausing every few thousand bytes of work. */
  encodeSteps(text: string): Steps<number[]>;
}
