import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelMissing } from './errors.js';
import { loadByT5Tokenizer } from './from-byt5-config.js';
import { loadFromSpieceModel } from './from-spiece-model.js';
import { loadFromTokenizerJson } from './from-tokenizer-json.js';
import { readTokenizerConfig } from './tokenizer-config.js';
import type { Tokenizer } from './tokenizer.js';
import { entryExists } from '../model/index.js';

/** Tokenizer files in the order they are preferred. */
export const TOKENIZER_FILES = ['spiece.model', 'tokenizer.json'] as const;

/** Which file to build the tokenizer from. */
export type TokenizerSource = (typeof TOKENIZER_FILES)[number];

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /** Use this file even when a preferred one exists (default: spiece.model, else tokenizer.json). */
  readonly source?: TokenizerSource;
}

/**
 * Loads the T5 (or ByT5) tokenizer of a model directory (a path or `file://` URL); reads no weights.
 * @throws TOKENIZER_MODEL_MISSING when neither spiece.model nor tokenizer.json is there.
 * @example const tokenizer = await loadTokenizer('models/flan-t5-small');
 */
export async function loadTokenizer(dir: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const root = dir.startsWith('file:') ? fileURLToPath(dir) : dir;
  // ByT5 has no vocabulary file; its tokenizer_config.json names the byte tokenizer.
  const byT5 = options.source === undefined ? await loadByT5Tokenizer(root) : undefined;
  if (byT5 !== undefined) return byT5;
  const candidates = options.source === undefined ? TOKENIZER_FILES : [options.source];
  let source: TokenizerSource | undefined;
  for (const candidate of candidates) {
    if (await entryExists(join(root, candidate))) {
      source = candidate;
      break;
    }
  }
  if (source === undefined) throw modelMissing(root, candidates);
  const config = await readTokenizerConfig(root);
  switch (source) {
    case 'spiece.model':
      return loadFromSpieceModel(join(root, source), config);
    case 'tokenizer.json':
      return loadFromTokenizerJson(join(root, source), config);
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}
