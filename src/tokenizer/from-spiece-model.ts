// Builds the T5 tokenizer from spiece.model: SentencePiece itself (WebAssembly) encodes, we do the rest.
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { modelMissing } from './errors.js';
import { pieceTableOf } from './piece-decoder.js';
import { readTokenizerFile } from './read-tokenizer-file.js';
import { parseSpieceModel, withoutDummyPrefix } from './sentencepiece/spiece-model.js';
import type { PieceEncoder } from './sentencepiece/piece-encoder.js';
import { loadWasmProcessor } from './sentencepiece/wasm-processor.js';
import { extraIdTokens, t5Specials } from './t5-special-tokens.js';
import { T5Tokenizer } from './t5-tokenizer.js';
import type { TokenizerConfig } from './tokenizer-config.js';

/** Reads spiece.model and returns HF's T5Tokenizer over it. */
export async function loadFromSpieceModel(file: string, config: TokenizerConfig): Promise<T5Tokenizer> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.spieceModelBytes,
    expected: 'a SentencePiece model',
    code: 'TOKENIZER_MODEL_INVALID',
  });
  if (bytes === undefined) throw modelMissing(file, ['spiece.model']);
  const model = parseSpieceModel(bytes, file);
  const encoder: PieceEncoder = await loadWasmProcessor(config.legacy ? bytes : withoutDummyPrefix(bytes), file);
  const tokens = [...model.pieces, ...extraIdTokens(config.extraIds)];
  return new T5Tokenizer({
    tokens,
    pieces: pieceTableOf(model.pieces, model.types),
    ...t5Specials(tokens, model.pieces.length, file),
    encoder,
    legacy: config.legacy,
    cleanUpSpaces: config.cleanUpTokenizationSpaces,
  });
}
