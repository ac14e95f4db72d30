import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelMissing, modelUnsupported } from './errors.js';
import { loadByT5Tokenizer } from './from-byt5-config.js';
import { isBpeTokenizerJson, loadFromHfTokenizerJson } from './from-hf-tokenizer-json.js';
import { loadFromSpieceModel } from './from-spiece-model.js';
import { loadMarianTokenizer } from './from-marian-files.js';
import { loadFromTokenizerJson, readTokenizerJsonFile } from './from-tokenizer-json.js';
import { gpt2TokenizerJson } from './gpt2-slow-files.js';
import { readHfTokenizerConfig } from './hf-tokenizer-config.js';
import { readTokenizerConfig } from './tokenizer-config.js';
import type { Tokenizer } from './tokenizer.js';
import { entryExists } from '../model/index.js';

/**
 * Files a tokenizer is built from, in the order they are preferred (Marian's source.spm goes with target.spm and
 * vocab.json; vocab.json alone with GPT-2's merges.txt).
 */
export const TOKENIZER_SOURCES = ['spiece.model', 'tokenizer.json', 'source.spm', 'vocab.json', 'tokenizer.model'] as const;

/** Every file the tokenizer may read besides tokenizer_config.json. */
export const TOKENIZER_FILES = [...TOKENIZER_SOURCES, 'target.spm', 'merges.txt'] as const;

/** Which file to build the tokenizer from. */
export type TokenizerSource = (typeof TOKENIZER_SOURCES)[number];

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /** Use this file even when a preferred one exists (default: the first of {@link TOKENIZER_SOURCES} present). */
  readonly source?: TokenizerSource;
}

/** A tokenizer.json: BPE (decoder-only families) through Hugging Face's code, anything else as T5's Unigram. */
async function fromTokenizerJson(root: string, file: string): Promise<Tokenizer> {
  const { text, json } = await readTokenizerJsonFile(file);
  if (isBpeTokenizerJson(json)) return loadFromHfTokenizerJson(text, json, file, await readHfTokenizerConfig(root));
  return loadFromTokenizerJson(file, await readTokenizerConfig(root), json);
}

/** GPT-2's slow files, converted as transformers does when it builds the fast tokenizer. */
async function fromGpt2SlowFiles(root: string): Promise<Tokenizer> {
  const config = await readHfTokenizerConfig(root);
  const file = join(root, 'vocab.json');
  const text = await gpt2TokenizerJson(file, join(root, 'merges.txt'), config);
  return loadFromHfTokenizerJson(text, JSON.parse(text), file, config);
}

/**
 * Loads the tokenizer of a model directory (a path or `file://` URL); reads no weights. T5: spiece.model or a
 * Unigram tokenizer.json; ByT5: its tokenizer_config.json alone; Marian: source.spm + target.spm + vocab.json;
 * decoder-only models: a BPE tokenizer.json, or GPT-2's vocab.json + merges.txt.
 * @throws TOKENIZER_MODEL_MISSING when none of {@link TOKENIZER_SOURCES} is there.
 * @example const tokenizer = await loadTokenizer('models/flan-t5-small');
 */
export async function loadTokenizer(dir: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const root = dir.startsWith('file:') ? fileURLToPath(dir) : dir;
  // ByT5 has no vocabulary file; its tokenizer_config.json names the byte tokenizer.
  const byT5 = options.source === undefined ? await loadByT5Tokenizer(root) : undefined;
  if (byT5 !== undefined) return byT5;
  const candidates = options.source === undefined ? TOKENIZER_SOURCES : [options.source];
  let source: TokenizerSource | undefined;
  for (const candidate of candidates) {
    if (await entryExists(join(root, candidate))) {
      source = candidate;
      break;
    }
  }
  if (source === undefined) throw modelMissing(root, candidates);
  switch (source) {
    case 'spiece.model':
      return loadFromSpieceModel(join(root, source), await readTokenizerConfig(root));
    case 'tokenizer.json':
      return fromTokenizerJson(root, join(root, source));
    case 'source.spm':
      return loadMarianTokenizer(root);
    case 'vocab.json':
      return fromGpt2SlowFiles(root);
    case 'tokenizer.model':
      // Llama 2's slow SentencePiece BPE file: transformers converts it with the Python sentencepiece package.
      throw modelUnsupported(join(root, source), {
        given: 'tokenizer.model without tokenizer.json',
        expected: 'tokenizer.json next to it (write it with transformers: AutoTokenizer.from_pretrained(dir).save_pretrained(dir))',
      });
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}
