import { join } from 'node:path';
import { z } from 'zod';
import { checkGenerationConfig } from './generation-config-checks.js';
import { jsonObject, parseWithSchema, readJsonFile } from './json-file.js';
import type { T5Config } from './t5-config.js';

/** The decoding choices a model's file and a caller's request share (HF `generate` names, camelCased). */
export interface DecodingChoices {
  readonly numBeams: number;
  readonly doSample: boolean;
  /** Only read when sampling; 0 means greedy decoding. */
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
  readonly lengthPenalty: number;
  readonly noRepeatNgramSize: number;
  readonly earlyStopping: boolean | 'never';
  readonly numReturnSequences: number;
}

/** HF `generation_config.json`, camelCased, with transformers' GenerationConfig defaults filled in. */
export interface GenerationConfig extends DecodingChoices {
  readonly maxLength: number;
  readonly maxNewTokens?: number;
  readonly minLength: number;
  readonly minNewTokens?: number;
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  /** Every id that ends a sequence (`eos_token_id` may be a list); `eosTokenId` is the first. */
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  /** `forced_bos_token_id`: the first new token, when set (BART `<s>`). */
  readonly forcedBosTokenId?: number;
  /** `forced_eos_token_id` (an id or a list): the only ids allowed at the last allowed step, when set. */
  readonly forcedEosTokenIds?: readonly number[];
}

// The engine's own limits (engine/generation/params.ts and its maxNewTokensLimit setting): a model default past
// them would load, then fail every request that does not override it.
const MAX_BEAMS = 256;
const MAX_NGRAM = 1024;
const MAX_TOKENS = 1_000_000;
const upTo = <T extends z.ZodNumber>(schema: T, max: number, what: string): T => schema.max(max, { error: `${what} <= ${max}` });

const count = z.number({ error: 'an integer >= 0' }).int({ error: 'an integer >= 0' }).nonnegative({ error: 'an integer >= 0' });
const positive = z.number({ error: 'an integer >= 1' }).int({ error: 'an integer >= 1' }).positive({ error: 'an integer >= 1' });
const tokenId = z
  .number({ error: 'a token id (integer >= 0)' })
  .int({ error: 'a token id (integer >= 0)' })
  .nonnegative({ error: 'a token id (integer >= 0)' });
const flag = z.boolean({ error: 'true or false' });

/** The generation fields we read; each may be absent or null (transformers then uses its default). */
export const generationConfigJsonSchema = z
  .object({
    max_length: upTo(count, MAX_TOKENS, 'an integer >= 0 and').nullish(),
    max_new_tokens: upTo(count, MAX_TOKENS, 'an integer >= 0 and').nullish(),
    min_length: count.nullish(),
    min_new_tokens: count.nullish(),
    num_beams: upTo(positive, MAX_BEAMS, 'an integer >= 1 and').nullish(),
    do_sample: flag.nullish(),
    temperature: z.number({ error: 'a number >= 0' }).nonnegative({ error: 'a number >= 0' }).nullish(),
    top_k: count.nullish(),
    top_p: z
      .number({ error: 'a number in [0, 1]' })
      .min(0, { error: 'a number in [0, 1]' })
      .max(1, { error: 'a number in [0, 1]' })
      .nullish(),
    repetition_penalty: z.number({ error: 'a number > 0' }).positive({ error: 'a number > 0' }).nullish(),
    length_penalty: z.number({ error: 'a number' }).nullish(),
    no_repeat_ngram_size: upTo(count, MAX_NGRAM, 'an integer >= 0 and').nullish(),
    early_stopping: z.union([z.boolean(), z.literal('never')], { error: 'true, false or "never"' }).nullish(),
    num_return_sequences: upTo(positive, MAX_BEAMS, 'an integer >= 1 and').nullish(),
    decoder_start_token_id: tokenId.nullish(),
    eos_token_id: z.union([tokenId, z.array(tokenId).min(1)], { error: 'a token id or a non-empty list of token ids' }).nullish(),
    pad_token_id: tokenId.nullish(),
    forced_bos_token_id: tokenId.nullish(),
    forced_eos_token_id: z.union([tokenId, z.array(tokenId).min(1)], { error: 'a token id or a non-empty list of token ids' }).nullish(),
  })
  .loose();

/**
 * Reads `<dir>/generation_config.json`. Without one, the generation fields of config.json are
 * used, as transformers' `GenerationConfig.from_model_config` does; token ids the file leaves out
 * come from config.json (what `generate` falls back to).
 */
export async function readGenerationConfig(dir: string, config: GenerationModelFacts): Promise<GenerationConfig> {
  const file = join(dir, 'generation_config.json');
  const value = await readJsonFile(file, { optional: true, expected: 'a Hugging Face generation_config.json' });
  const source = value === undefined ? config.raw : value;
  const sourceFile = value === undefined ? join(dir, 'config.json') : file;
  // config.json's own fields were checked to be an object when it was read; this checks generation_config.json
  const generation = generationConfigFrom(parseWithSchema(generationConfigJsonSchema, jsonObject(source, sourceFile), sourceFile), config);
  checkGenerationConfig(generation, { file: sourceFile, vocabSize: config.vocabSize });
  return generation;
}

/** The token ids generation falls back to (config.json's). */
export type GenerationTokenIds = Pick<T5Config, 'decoderStartTokenId' | 'eosTokenId' | 'padTokenId'> & {
  /** config.json's list of EOS ids, when it holds one; default `[eosTokenId]`. */
  readonly eosTokenIds?: readonly number[];
};

/** What generation settings fall back to from config.json (T5 and decoder-only configs both have these). */
export type GenerationModelFacts = GenerationTokenIds & Pick<T5Config, 'raw' | 'vocabSize'>;

/** Hugging Face's generation defaults with the model's token ids: what a model without any generation settings gets. */
export function defaultGenerationConfig(config: GenerationTokenIds): GenerationConfig {
  return generationConfigFrom({}, config);
}

function generationConfigFrom(json: z.infer<typeof generationConfigJsonSchema>, config: GenerationTokenIds): GenerationConfig {
  const eos = json.eos_token_id;
  return Object.freeze({
    maxLength: json.max_length ?? 20,
    ...(json.max_new_tokens == null ? {} : { maxNewTokens: json.max_new_tokens }),
    minLength: json.min_length ?? 0,
    ...(json.min_new_tokens == null ? {} : { minNewTokens: json.min_new_tokens }),
    numBeams: json.num_beams ?? 1,
    doSample: json.do_sample ?? false,
    temperature: json.temperature ?? 1,
    topK: json.top_k ?? 50,
    topP: json.top_p ?? 1,
    repetitionPenalty: json.repetition_penalty ?? 1,
    lengthPenalty: json.length_penalty ?? 1,
    noRepeatNgramSize: json.no_repeat_ngram_size ?? 0,
    earlyStopping: json.early_stopping ?? false,
    numReturnSequences: json.num_return_sequences ?? 1,
    decoderStartTokenId: json.decoder_start_token_id ?? config.decoderStartTokenId,
    eosTokenId: eos == null ? config.eosTokenId : typeof eos === 'number' ? eos : (eos[0] ?? config.eosTokenId),
    eosTokenIds: Object.freeze(eos == null ? [...(config.eosTokenIds ?? [config.eosTokenId])] : typeof eos === 'number' ? [eos] : [...eos]),
    padTokenId: json.pad_token_id ?? config.padTokenId,
    ...(json.forced_bos_token_id == null ? {} : { forcedBosTokenId: json.forced_bos_token_id }),
    ...(json.forced_eos_token_id == null
      ? {}
      : {
          forcedEosTokenIds: Object.freeze(
            typeof json.forced_eos_token_id === 'number' ? [json.forced_eos_token_id] : [...json.forced_eos_token_id],
          ),
        }),
  });
}
