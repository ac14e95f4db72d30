// Pieces back to text the way HF's slow T5Tokenizer does it: its convert_tokens_to_string around
// SentencePiece's DecodePieces (sentencepiece 0.1.97), then clean_up_tokenization.
import { pythonStrip } from './python-text.js';
import { PieceType } from './sentencepiece/unigram-model.js';

const SPACE_SYMBOL = '\u2581';
/** SentencePiece's default unk_surface (" ⁇ "). */
const UNK_SURFACE = ' \u2047 ';

/** What decoding needs to know about the SentencePiece vocabulary. */
export interface PieceTable {
  /** Piece text -> id, for SentencePiece pieces only (not the extra ids). */
  readonly idOfPiece: ReadonlyMap<string, number>;
  readonly types: Uint8Array;
}

/** The table for SentencePiece pieces `pieces` (ids 0..n-1) of the given types; the first of equal pieces wins. */
export function pieceTableOf(pieces: readonly string[], types: Uint8Array): PieceTable {
  const idOfPiece = new Map<string, number>();
  pieces.forEach((piece, id) => {
    if (!idOfPiece.has(piece)) idOfPiece.set(piece, id);
  });
  return { idOfPiece, types };
}

/** SentencePiece's DecodePieces: `▁` becomes a space, and a leading `▁` is dropped while the output is still empty. */
export function decodePieces(pieces: readonly string[], table: PieceTable): string {
  let text = '';
  for (const piece of pieces) {
    const id = table.idOfPiece.get(piece);
    if (id === undefined) {
      text += piece; // PieceToId gives <unk>, whose surface for a foreign piece is the piece itself
      continue;
    }
    const type = table.types[id];
    if (type === PieceType.control) continue;
    if (type === PieceType.unknown) {
      text += UNK_SURFACE;
      continue;
    }
    const surface = text.length === 0 && piece.startsWith(SPACE_SYMBOL) ? piece.slice(SPACE_SYMBOL.length) : piece;
    text += surface.replaceAll(SPACE_SYMBOL, ' ');
  }
  return text;
}

/** T5Tokenizer.convert_tokens_to_string: special tokens are kept verbatim, with a space before a run of them. */
export function tokensToString(tokens: readonly string[], table: PieceTable, isSpecial: (token: string) => boolean): string {
  let out = '';
  let previousIsSpecial = false;
  let current: string[] = [];
  tokens.forEach((token, index) => {
    // HF removes every leading `▁` of the first token, since it added the prefix space itself.
    const text = index === 0 ? token.replace(/^\u2581+/u, '') : token;
    if (isSpecial(text)) {
      if (!previousIsSpecial) out += ' ';
      out += decodePieces(current, table) + text;
      previousIsSpecial = true;
      current = [];
    } else {
      current.push(text);
      previousIsSpecial = false;
    }
  });
  out += decodePieces(current, table);
  return pythonStrip(out);
}

/** HF's clean_up_tokenization: removes the space before punctuation and English contractions. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}
