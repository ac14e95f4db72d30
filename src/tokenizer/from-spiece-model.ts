// Builds the T5 tokenizer from spiece.model: SentencePiece itself (WebAssembly) encodes, we do the rest.
import { readFile } from 'node:fs/promises';
import { modelMissing } from './errors.js';
import type { PieceTable } from './piece-decoder.js';
import { parseSpieceModel, withoutDummyPrefix } from './sentencepiece/spiece-model.js';
import type { UnigramModel } from './sentencepiece/unigram-model.js';
import { loadWasmProcessor, type PieceEncoder } from './sentencepiece/wasm-processor.js';
import { extraIdTokens, t5Specials } from './t5-special-tokens.js';
import { T5Tokenizer } from './t5-tokenizer.js';
import type { TokenizerConfig } from './tokenizer-config.js';

/** The piece lookup decoding needs. */
export function pieceTable(model: UnigramModel): PieceTable {
  const idOfPiece = new Map<string, number>();
  model.pieces.forEach((piece, id) => {
    if (!idOfPiece.has(piece)) idOfPiece.set(piece, id);
  });
  return { idOfPiece, types: model.types };
}

/** Reads spiece.model and returns HF's T5Tokenizer over it. */
export async function loadFromSpieceModel(file: string, config: TokenizerConfig): Promise<T5Tokenizer> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw modelMissing(file, ['spiece.model'], error);
  }
  const model = parseSpieceModel(bytes, file);
  const encoder: PieceEncoder = await loadWasmProcessor(config.legacy ? bytes : withoutDummyPrefix(bytes), file);
  const tokens = [...model.pieces, ...extraIdTokens(config.extraIds)];
  return new T5Tokenizer({
    tokens,
    pieces: pieceTable(model),
    ...t5Specials(tokens, model.pieces.length, file),
    encoder,
    legacy: config.legacy,
    cleanUpSpaces: config.cleanUpTokenizationSpaces,
  });
}
