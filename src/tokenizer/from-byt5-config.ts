// A ByT5 checkpoint has no vocabulary file: tokenizer_config.json says `"tokenizer_class": "ByT5Tokenizer"`
// and lists the sentinels in `added_tokens_decoder` (its saved `extra_ids` is 0).
import { z } from 'zod';
import { BYTE_OFFSET, ByT5Tokenizer } from './byt5-tokenizer.js';
import { tokenizerError } from './errors.js';
import type { SpecialToken } from './special-tokens.js';
import { parseTokenizerConfigJson, readTokenizerConfigJson } from './tokenizer-config.js';

const addedToken = z.object({ content: z.string().min(1), lstrip: z.boolean().optional(), rstrip: z.boolean().optional() });
const configSchema = z.object({
  tokenizer_class: z.string().optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  // ByT5Tokenizer's default when a config lists no sentinels.
  extra_ids: z.number().int().min(0).max(100_000).default(125),
  added_tokens_decoder: z.record(z.string().regex(/^\d{1,9}$/), addedToken).optional(),
});

// ByT5Tokenizer.__init__: pad, eos and unk are AddedToken(lstrip=True, rstrip=True); the sentinels strip nothing.
const BUILT_IN: readonly SpecialToken[] = [
  { content: '<pad>', id: 0, stripsSpaces: true },
  { content: '</s>', id: 1, stripsSpaces: true },
  { content: '<unk>', id: 2, stripsSpaces: true },
];
const FIRST_SENTINEL_ID = BYTE_OFFSET + 256;

/** The ByT5 tokenizer of `dir` when its tokenizer_config.json names ByT5Tokenizer; undefined otherwise. */
export async function loadByT5Tokenizer(dir: string): Promise<ByT5Tokenizer | undefined> {
  const read = await readTokenizerConfigJson(dir);
  if (read === undefined) return undefined;
  const { file, json } = read;
  if (typeof json !== 'object' || json === null || !('tokenizer_class' in json) || json.tokenizer_class !== 'ByT5Tokenizer')
    return undefined;
  const config = parseTokenizerConfigJson(configSchema, json, file);
  const { added_tokens_decoder: decoder, extra_ids: extraIds } = config;
  const specialTokens =
    decoder === undefined
      ? [
          ...BUILT_IN,
          ...Array.from({ length: extraIds }, (_, index) => ({
            content: `<extra_id_${index}>`,
            id: FIRST_SENTINEL_ID + index,
            stripsSpaces: false,
          })),
        ]
      : fromDecoder(decoder, file);
  return new ByT5Tokenizer({ specialTokens, cleanUpSpaces: config.clean_up_tokenization_spaces ?? true });
}

function fromDecoder(decoder: Readonly<Record<string, z.infer<typeof addedToken>>>, file: string): SpecialToken[] {
  const tokens = new Map(BUILT_IN.map((token) => [token.id, token]));
  for (const [key, entry] of Object.entries(decoder)) {
    const id = Number(key);
    // An added token on a byte's id would make that byte unreachable; ByT5Tokenizer only ever adds them above.
    if (id >= BYTE_OFFSET && id < FIRST_SENTINEL_ID) {
      throw tokenizerError('TOKENIZER_CONFIG_INVALID', 'an added token sits on a byte id', {
        file,
        field: `added_tokens_decoder.${key}`,
        given: JSON.stringify(entry.content).slice(0, 100),
        expected: `ids 0-2 (<pad>, </s>, <unk>) or from ${FIRST_SENTINEL_ID} on`,
      });
    }
    tokens.set(id, { content: entry.content, id, stripsSpaces: entry.lstrip === true || entry.rstrip === true });
  }
  return [...tokens.values()];
}
