// tokenizer_config.json, as HF's save_pretrained writes it; only the keys that change T5Tokenizer's results.
import { join } from 'node:path';
import { z } from 'zod';
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { tokenizerError } from './errors.js';
import { parseTokenizerJson, readTokenizerFile } from './read-tokenizer-file.js';

/** The tokenizer_config.json settings we honour, with HF's defaults filled in. */
export interface TokenizerConfig {
  /** HF's `legacy` (absent or null: true, as HF falls back to for T5 checkpoints). */
  readonly legacy: boolean;
  readonly cleanUpTokenizationSpaces: boolean;
  /** How many `<extra_id_N>` tokens follow the SentencePiece pieces. */
  readonly extraIds: number;
}

const configSchema = z.object({
  legacy: z.boolean().nullable().optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  extra_ids: z.number().int().min(0).max(100_000).optional(),
});

/** `dir/tokenizer_config.json` as JSON, with its path; undefined when there is none. */
export async function readTokenizerConfigJson(dir: string): Promise<{ readonly file: string; readonly json: unknown } | undefined> {
  const file = join(dir, 'tokenizer_config.json');
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.configJsonBytes,
    expected: 'a Hugging Face tokenizer_config.json',
    code: 'TOKENIZER_CONFIG_INVALID',
    optional: true,
  });
  return bytes === undefined ? undefined : { file, json: parseTokenizerJson(bytes.toString('utf8'), file, 'TOKENIZER_CONFIG_INVALID') };
}

/** `json` checked with `schema`; TOKENIZER_CONFIG_INVALID naming the first field that fails. */
export function parseTokenizerConfigJson<T extends z.ZodType>(schema: T, json: unknown, file: string): z.output<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw tokenizerError('TOKENIZER_CONFIG_INVALID', issue?.message ?? 'invalid tokenizer config', {
      file,
      field: issue?.path.join('.') ?? '',
    });
  }
  return parsed.data;
}

/** Reads `dir/tokenizer_config.json`; a missing file means HF's defaults. */
export async function readTokenizerConfig(dir: string): Promise<TokenizerConfig> {
  const read = await readTokenizerConfigJson(dir);
  if (read === undefined) return { legacy: true, cleanUpTokenizationSpaces: true, extraIds: 100 };
  const parsed = parseTokenizerConfigJson(configSchema, read.json, read.file);
  return {
    legacy: parsed.legacy ?? true,
    cleanUpTokenizationSpaces: parsed.clean_up_tokenization_spaces ?? true,
    extraIds: parsed.extra_ids ?? 100,
  };
}
