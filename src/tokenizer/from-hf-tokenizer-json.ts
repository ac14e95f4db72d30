// Builds the fast (tokenizer.json) tokenizer of a decoder-only model: the file's shape is checked here first, so
// a wrong type or a missing part gets TOKENIZER_MODEL_INVALID naming the field instead of an error from inside
// Hugging Face's code; the special tokens by role come from tokenizer_config.json.
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer as RustTokenizer } from 'tokenizers';
import { z } from 'zod';
import { modelInvalid, modelUnsupported, tokenizerError } from './errors.js';
import type { HfTokenizerConfig } from './hf-tokenizer-config.js';
import { HfTokenizer } from './hf-tokenizer.js';

const componentSchema = z.looseObject({ type: z.string() }).nullable().optional();

const bpeJsonSchema = z.looseObject({
  added_tokens: z
    .array(
      z.looseObject({
        id: z.number().int().min(0).max(0x7fffffff),
        content: z.string().min(1),
        special: z.boolean().optional(),
        lstrip: z.boolean().optional(),
        rstrip: z.boolean().optional(),
        normalized: z.boolean().optional(),
        single_word: z.boolean().optional(),
      }),
    )
    .default([]),
  normalizer: componentSchema,
  pre_tokenizer: componentSchema,
  post_processor: componentSchema,
  decoder: componentSchema,
  model: z.looseObject({
    type: z.literal('BPE'),
    vocab: z.record(z.string(), z.number().int().min(0).max(0x7fffffff)),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
    byte_fallback: z.boolean().optional(),
    unk_token: z.string().nullable().optional(),
  }),
});

/** A parsed tokenizer.json whose model is BPE (the decoder-only families), else undefined (T5's Unigram path). */
export function isBpeTokenizerJson(json: unknown): boolean {
  const model = z.looseObject({ model: z.looseObject({ type: z.string() }) }).safeParse(json);
  return model.success && model.data.model.type === 'BPE';
}

/** Throws the first schema issue as TOKENIZER_MODEL_INVALID naming its field. */
function parseBpeJson(json: unknown, file: string): z.infer<typeof bpeJsonSchema> {
  const parsed = bpeJsonSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw modelInvalid(file, `not a BPE tokenizer.json: ${issue?.message ?? 'invalid'}`, { field: issue?.path.join('.') ?? '' });
}

/** Loads Hugging Face's Rust library only for models that need it (T5 never does). */
async function rustTokenizer(text: string, file: string): Promise<RustTokenizer> {
  const { Tokenizer } = await import('tokenizers');
  try {
    return Tokenizer.fromString(text);
  } catch (error) {
    throw modelUnsupported(file, { field: 'tokenizer.json', expected: "a file Hugging Face's tokenizers library loads", cause: error });
  }
}

/** Builds the tokenizer of a BPE tokenizer.json (`text` is the file, `json` its parse) with the config's special tokens. */
export async function loadFromHfTokenizerJson(text: string, json: unknown, file: string, config: HfTokenizerConfig): Promise<HfTokenizer> {
  const data = parseBpeJson(json, file);
  let js: JsTokenizer;
  try {
    js = new JsTokenizer(data, {});
  } catch (error) {
    throw modelUnsupported(file, { field: 'tokenizer.json', expected: 'components Hugging Face tokenizers implement', cause: error });
  }
  const rust = await rustTokenizer(text, file);
  const idOf = new Map(Object.entries(data.model.vocab));
  for (const token of data.added_tokens) idOf.set(token.content, token.id);
  const roleId = (role: 'bos_token' | 'eos_token' | 'unk_token' | 'pad_token'): number | undefined => {
    const content = config.specialTokensMap[role];
    if (content === undefined) return undefined;
    const id = idOf.get(content);
    if (id === undefined) {
      throw tokenizerError('TOKENIZER_CONFIG_INVALID', `the ${role} is not in the vocabulary`, { file, field: role, given: content });
    }
    return id;
  };
  const eosTokenId = roleId('eos_token');
  if (eosTokenId === undefined) {
    throw tokenizerError('TOKENIZER_CONFIG_INVALID', 'the tokenizer config names no eos_token', {
      file,
      field: 'eos_token',
      expected: 'eos_token in tokenizer_config.json or special_tokens_map.json',
    });
  }
  let maxId = 0;
  let maxTokenChars = 1;
  for (const [token, id] of idOf) {
    maxId = Math.max(maxId, id);
    maxTokenChars = Math.max(maxTokenChars, token.length);
  }
  const [bosTokenId, unkTokenId, padTokenId] = [roleId('bos_token'), roleId('unk_token'), roleId('pad_token')];
  return new HfTokenizer({
    js,
    rust,
    vocabSize: maxId + 1,
    maxTokenChars,
    specialIds: new Set(data.added_tokens.filter((token) => token.special === true).map((token) => token.id)),
    specialTokensMap: config.specialTokensMap,
    eosTokenId,
    ...(bosTokenId === undefined ? {} : { bosTokenId }),
    ...(unkTokenId === undefined ? {} : { unkTokenId }),
    ...(padTokenId === undefined ? {} : { padTokenId }),
    cleanUpSpaces: config.cleanUpTokenizationSpaces,
  });
}
