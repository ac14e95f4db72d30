import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import { MODEL_FILE_LIMITS, entryExists, readModelFile } from '../model/index.js';
import { TOKENIZER_FILES } from '../tokenizer/index.js';
import { sourceError } from './source.js';

/**
 * Files copied next to converted weights so a server can build the tokenizer (every file a tokenizer is built
 * from: spiece.model, tokenizer.json, Marian's source.spm/target.spm/vocab.json, GPT-2's vocab.json/merges.txt),
 * its chat template and the generation defaults.
 */
export const MODEL_SIDE_FILES: readonly string[] = [
  'config.json',
  ...TOKENIZER_FILES,
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'chat_template.jinja',
  'generation_config.json',
];

/** The size limit of each side file: SentencePiece models, vocabularies and merges, or small JSON/text files. */
function limitOf(name: string): number {
  if (name.endsWith('.model') || name.endsWith('.spm')) return MODEL_FILE_LIMITS.spieceModelBytes;
  if (name === 'tokenizer.json' || name === 'vocab.json' || name === 'merges.txt') return MODEL_FILE_LIMITS.tokenizerJsonBytes;
  return MODEL_FILE_LIMITS.configJsonBytes;
}

/**
 * Copies each {@link MODEL_SIDE_FILES} entry that `from` has into `to` as a regular file. A symlink is
 * copied as its target's bytes (Hugging Face cache snapshots are symlinks into `../../blobs/`); one that
 * dangles, or any entry that is not a regular file, fails with CONVERT_SOURCE_UNREADABLE naming it.
 */
export async function copySideFiles(from: string, to: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of MODEL_SIDE_FILES) {
    const file = join(from, name);
    if (!(await entryExists(file))) continue;
    let bytes: Buffer | undefined;
    try {
      bytes = await readModelFile(file, { expected: `a copyable ${name}`, maxBytes: limitOf(name) });
    } catch (cause) {
      throw LlmDeployError.isInstance(cause) ? sourceError(cause, file) : cause;
    }
    if (bytes === undefined) continue;
    await writeFile(join(to, name), bytes);
    copied.push(name);
  }
  return copied;
}
