// Builds the fast (tokenizer.json) tokenizer of a decoder-only model: the file's shape is checked here first, so
// a wrong type or a missing part gets TOKENIZER_MODEL_INVALID naming the field instead of an error from inside
// Hugging Face's code; the special tokens by role come from tokenizer_config.json.
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer as RustTokenizer } from 'tokenizers';
import { z } from 'zod';
import type { LlmDeployError } from '../config/index.js';
import { modelInvalid, modelUnsupported, tokenizerError } from './errors.js';
import type { HfTokenizerConfig } from './hf-tokenizer-config.js';
import { hfTokenizer } from './hf-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

const MAX_ID = 0x7fffffff;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const componentSchema = z.looseObject({ type: z.string() }).nullable().optional();

const bpeJsonSchema = z.looseObject({
  added_tokens: z
    .array(
      z.looseObject({
        id: z.number().int().min(0).max(MAX_ID),
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
  // vocab and merges (hundreds of thousands of entries) are checked by the loops below: zod takes seconds on them.
  model: z.looseObject({
    type: z.literal('BPE'),
    vocab: z.custom<Record<string, unknown>>(isPlainObject, 'expected an object of token -> id'),
    merges: z.custom<unknown[]>(Array.isArray, 'expected an array of merges'),
    byte_fallback: z.boolean().optional(),
    unk_token: z.string().nullable().optional(),
  }),
});

/** The vocabulary as token -> id, every id a non-negative integer. */
function vocabOf(vocab: Record<string, unknown>, file: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
      throw modelInvalid(file, 'a vocabulary id is not a non-negative integer', {
        field: `model.vocab.${token.slice(0, 40)}`,
        given: String(id),
      });
    }
    ids.set(token, id);
  }
  return ids;
}

/** Merges are `"a b"` strings or `["a", "b"]` pairs. */
function checkMerges(merges: readonly unknown[], file: string): void {
  for (const [index, merge] of merges.entries()) {
    if (typeof merge === 'string') continue;
    if (Array.isArray(merge) && merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string') continue;
    throw modelInvalid(file, 'a merge is neither "a b" nor ["a", "b"]', { field: `model.merges.${index}` });
  }
}

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

/** A file one of Hugging Face's implementations refuses, with the library's own words (e.g. serde's "missing field `single_word`"). */
function refused(file: string, expected: string, error: unknown): LlmDeployError {
  const given = error instanceof Error ? error.message : String(error);
  return modelUnsupported(file, { field: 'tokenizer.json', given, expected, cause: error });
}

/** Loads Hugging Face's Rust library only for models that need it (T5 never does). */
async function rustTokenizer(text: string, file: string): Promise<RustTokenizer> {
  const { Tokenizer } = await import('tokenizers');
  try {
    return Tokenizer.fromString(text);
  } catch (error) {
    throw refused(file, "a file Hugging Face's tokenizers library loads", error);
  }
}

/** Builds the tokenizer of a BPE tokenizer.json (`text` is the file, `json` its parse) with the config's special tokens. */
export async function loadFromHfTokenizerJson(text: string, json: unknown, file: string, config: HfTokenizerConfig): Promise<Tokenizer> {
  const data = parseBpeJson(json, file);
  const idOf = vocabOf(data.model.vocab, file);
  checkMerges(data.model.merges, file);
  let js: JsTokenizer;
  try {
    js = new JsTokenizer(data, {});
  } catch (error) {
    throw refused(file, 'components Hugging Face tokenizers implement', error);
  }
  const rust = await rustTokenizer(text, file);
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
  return hfTokenizer({
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
