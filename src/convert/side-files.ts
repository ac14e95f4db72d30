import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/** Copies each {@link MODEL_SIDE_FILES} entry that `from` has into `to`. */
export async function copySideFiles(from: string, to: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of MODEL_SIDE_FILES) {
    try {
      await copyFile(join(from, name), join(to, name));
      copied.push(name);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
  }
  return copied;
}
