// Builds the T5 tokenizer from tokenizer.json with our unigram encoder (no SentencePiece model to hand to
// the WebAssembly build), producing the same ids as the slow tokenizer over the original spiece.model.
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { pieceTableOf } from './piece-decoder.js';
import { parseTokenizerJson, readTokenizerFile } from './read-tokenizer-file.js';
import { UnigramEncoder } from './sentencepiece/unigram-encoder.js';
import { t5Specials } from './t5-special-tokens.js';
import { T5Tokenizer } from './t5-tokenizer.js';
import type { TokenizerConfig } from './tokenizer-config.js';
import { readTokenizerJson } from './tokenizer-json/read-tokenizer-json.js';

/** Reads a tokenizer.json file whole and parses its JSON (nesting bounded); `text` is kept for Hugging Face's Rust loader. */
export async function readTokenizerJsonFile(file: string): Promise<{ readonly text: string; readonly json: unknown }> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.tokenizerJsonBytes,
    expected: 'a Hugging Face tokenizer.json',
    code: 'TOKENIZER_MODEL_INVALID',
  });
  const text = bytes.toString('utf8');
  return { text, json: parseTokenizerJson(text, file, 'TOKENIZER_MODEL_INVALID') };
}

/** Returns HF's (slow) T5Tokenizer behaviour over a tokenizer.json (`json`: its parse; read from `file` when absent). */
export async function loadFromTokenizerJson(file: string, config: TokenizerConfig, parsed?: unknown): Promise<T5Tokenizer> {
  const json = parsed ?? (await readTokenizerJsonFile(file)).json;
  const { model, pieceCount } = readTokenizerJson(json, file);
  // HF's legacy=false tokenizer turns SentencePiece's add_dummy_prefix off and adds the `▁` itself.
  const encoderModel = config.legacy ? model : { ...model, normalizer: { ...model.normalizer, addDummyPrefix: false } };
  const tokens = model.pieces;
  return new T5Tokenizer({
    tokens,
    pieces: pieceTableOf(model.pieces.slice(0, pieceCount), model.types),
    ...t5Specials(tokens, pieceCount, file),
    encoder: new UnigramEncoder(encoderModel, file),
    legacy: config.legacy,
    cleanUpSpaces: config.cleanUpTokenizationSpaces,
  });
}
