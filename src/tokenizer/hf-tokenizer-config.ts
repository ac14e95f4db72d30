// The tokenizer_config.json keys a tokenizer.json-based (fast) tokenizer needs beyond T5's: the special tokens
// by role (strings, or AddedToken objects `{"content": ...}` as older save_pretrained wrote them), with
// special_tokens_map.json read on top as transformers does, and what GPT-2's slow files need.
import { join } from 'node:path';
import { z } from 'zod';
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { tokenizerError } from './errors.js';
import { specialTokensSchema } from './special-tokens-map.js';
import { parseTokenizerConfigJson } from './tokenizer-config.js';
import { parseTokenizerJson, readTokenizerFile } from './read-tokenizer-file.js';
import type { SpecialTokensMap } from './tokenizer.js';

const tokenSchema = z
  .union([z.string(), z.looseObject({ content: z.string() })])
  .nullable()
  .optional();

const addedTokenSchema = z.looseObject({
  content: z.string(),
  lstrip: z.boolean().optional(),
  rstrip: z.boolean().optional(),
  normalized: z.boolean().optional(),
  single_word: z.boolean().optional(),
  special: z.boolean().optional(),
});

const configSchema = z.looseObject({
  bos_token: tokenSchema,
  eos_token: tokenSchema,
  unk_token: tokenSchema,
  pad_token: tokenSchema,
  additional_special_tokens: z.array(z.union([z.string(), z.looseObject({ content: z.string() })])).optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  add_bos_token: z.boolean().optional(),
  add_prefix_space: z.boolean().optional(),
  added_tokens_decoder: z.record(z.string().regex(/^\d{1,9}$/u), addedTokenSchema).optional(),
});

type ConfigJson = z.infer<typeof configSchema>;

/** An entry of `added_tokens_decoder`, as tokenizer.json's `added_tokens` spells it. */
export type AddedTokenJson = z.infer<typeof addedTokenSchema> & { readonly id: number };

/** What a fast tokenizer takes from tokenizer_config.json / special_tokens_map.json. */
export interface HfTokenizerConfig {
  readonly specialTokensMap: SpecialTokensMap;
  /** Default true, as in transformers 4.36. */
  readonly cleanUpTokenizationSpaces: boolean;
  /** GPT2Tokenizer's `add_bos_token` (default false) and `add_prefix_space` (default false). */
  readonly addBosToken: boolean;
  readonly addPrefixSpace: boolean;
  readonly addedTokens: readonly AddedTokenJson[];
  /** Whether tokenizer_config.json or special_tokens_map.json named any special token. */
  readonly namesSpecialTokens: boolean;
}

async function readJson(file: string, code: 'TOKENIZER_CONFIG_INVALID'): Promise<ConfigJson | undefined> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.configJsonBytes,
    expected: 'a Hugging Face tokenizer config',
    code,
    optional: true,
  });
  if (bytes === undefined) return undefined;
  const parsed = configSchema.safeParse(parseTokenizerJson(bytes.toString('utf8'), file, code));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw tokenizerError(code, issue?.message ?? 'invalid tokenizer config', { file, field: issue?.path.join('.') ?? '' });
  }
  return parsed.data;
}

/** Reads `dir/tokenizer_config.json`; the roles `dir/special_tokens_map.json` names replace its own. */
export async function readHfTokenizerConfig(dir: string): Promise<HfTokenizerConfig> {
  const config = (await readJson(join(dir, 'tokenizer_config.json'), 'TOKENIZER_CONFIG_INVALID')) ?? {};
  const fromMap = (await readJson(join(dir, 'special_tokens_map.json'), 'TOKENIZER_CONFIG_INVALID')) ?? {};
  // special_tokens_map.json wins, as in transformers' from_pretrained (its values replace the init kwargs)
  const specialTokensMap = {
    ...parseTokenizerConfigJson(specialTokensSchema, config, join(dir, 'tokenizer_config.json')),
    ...parseTokenizerConfigJson(specialTokensSchema, fromMap, join(dir, 'special_tokens_map.json')),
  };
  const addedTokens = Object.entries(config.added_tokens_decoder ?? {}).map(([id, token]) => ({ ...token, id: Number(id) }));
  return {
    specialTokensMap,
    cleanUpTokenizationSpaces: config.clean_up_tokenization_spaces ?? true,
    addBosToken: config.add_bos_token ?? false,
    addPrefixSpace: config.add_prefix_space ?? false,
    addedTokens,
    namesSpecialTokens: Object.keys(specialTokensMap).length > 0,
  };
}
