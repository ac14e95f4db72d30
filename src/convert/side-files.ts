import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import { MODEL_FILE_LIMITS, entryExists, readModelFile } from '../model/index.js';
import { sourceError } from './source.js';

/** Files copied next to converted weights so a server can build the tokenizer and generation defaults. */
export const MODEL_SIDE_FILES = [
  'config.json',
  'spiece.model',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'generation_config.json',
] as const;

const LIMITS: Readonly<Record<(typeof MODEL_SIDE_FILES)[number], number>> = {
  'config.json': MODEL_FILE_LIMITS.configJsonBytes,
  'spiece.model': MODEL_FILE_LIMITS.spieceModelBytes,
  'tokenizer.json': MODEL_FILE_LIMITS.tokenizerJsonBytes,
  'tokenizer_config.json': MODEL_FILE_LIMITS.configJsonBytes,
  'special_tokens_map.json': MODEL_FILE_LIMITS.configJsonBytes,
  'added_tokens.json': MODEL_FILE_LIMITS.configJsonBytes,
  'generation_config.json': MODEL_FILE_LIMITS.configJsonBytes,
};

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
      bytes = await readModelFile(file, { expected: `a copyable ${name}`, maxBytes: LIMITS[name] });
    } catch (cause) {
      throw LlmDeployError.isInstance(cause) ? sourceError(cause, file) : cause;
    }
    if (bytes === undefined) continue;
    await writeFile(join(to, name), bytes);
    copied.push(name);
  }
  return copied;
}
