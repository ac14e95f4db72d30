/**
 * The special tokens a chat template sees, as transformers' `special_tokens_map` holds them:
 * `bos_token`, `eos_token`, `unk_token`, `sep_token`, `pad_token`, `cls_token`, `mask_token` (strings)
 * and `additional_special_tokens` (a list). Read from `tokenizer_config.json`, then
 * `special_tokens_map.json`, whose values win as in transformers' `from_pretrained`.
 */
import { z } from 'zod';

/** Special-token names and their text; unset tokens are absent. */
export type SpecialTokensMap = Readonly<Partial<Record<SpecialTokenKey, string>>> & {
  readonly additional_special_tokens?: readonly string[];
};

/** transformers' `SPECIAL_TOKENS_ATTRIBUTES` apart from the additional list. */
export const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** One of {@link SPECIAL_TOKEN_KEYS}. */
export type SpecialTokenKey = (typeof SPECIAL_TOKEN_KEYS)[number];

// a token is written as its text or as a serialised AddedToken ({"content": ..., "lstrip": ...})
const tokenSchema = z.union([z.string(), z.object({ content: z.string() }).transform((token) => token.content)]).nullish();
const tokensFileSchema = z.object({
  bos_token: tokenSchema,
  eos_token: tokenSchema,
  unk_token: tokenSchema,
  sep_token: tokenSchema,
  pad_token: tokenSchema,
  cls_token: tokenSchema,
  mask_token: tokenSchema,
  additional_special_tokens: z.array(tokenSchema).nullish(),
});

/** One parsed file (tokenizer_config.json or special_tokens_map.json) to its map; entries it lacks are absent. */
export const specialTokensSchema = tokensFileSchema.transform((data): SpecialTokensMap => {
  const map: { -readonly [K in SpecialTokenKey]?: string } & { additional_special_tokens?: readonly string[] } = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const value: unknown = data[key];
    if (typeof value === 'string') map[key] = value;
  }
  const additional = data.additional_special_tokens;
  if (additional != null) map.additional_special_tokens = additional.filter((token): token is string => typeof token === 'string');
  return map;
});
