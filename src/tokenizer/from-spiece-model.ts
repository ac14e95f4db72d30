// Builds the T5 tokenizer from spiece.model with our port of SentencePiece's unigram encoder.
// The WebAssembly SentencePiece (sentencepiece/wasm-processor.ts) stays the reference our tests compare
// with, but it cannot serve: it is quadratic on runs of unknown characters (100k: 0.45 s, 200k: 1.8 s;
// merging the run's pieces one string concatenation at a time) and, one synchronous call, it cannot
// yield to the event loop. Our port is linear, gives the same ids, and works in bounded steps.
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { pieceTableOf } from './piece-decoder.js';
import { readTokenizerFile } from './read-tokenizer-file.js';
import { parseSpieceModel } from './sentencepiece/spiece-model.js';
import { UnigramEncoder } from './sentencepiece/unigram-encoder.js';
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
  const model = parseSpieceModel(bytes, file);
  // HF's legacy=false tokenizer turns SentencePiece's add_dummy_prefix off and adds the `▁` itself.
  const encoderModel = config.legacy ? model : { ...model, normalizer: { ...model.normalizer, addDummyPrefix: false } };
  const tokens = [...model.pieces, ...extraIdTokens(config.extraIds)];
  return new T5Tokenizer({
    tokens,
    pieces: pieceTableOf(model.pieces, model.types),
    ...t5Specials(tokens, model.pieces.length, file),
    encoder: new UnigramEncoder(encoderModel, file),
    legacy: config.legacy,
    cleanUpSpaces: config.cleanUpTokenizationSpaces,
  });
}
