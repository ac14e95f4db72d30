// Builds HF's MarianTokenizer from source.spm + target.spm + vocab.json with our SentencePiece port (the same
// parser and unigram encoder as spiece.model; see from-spiece-model.ts for why not the WebAssembly build).
import { join } from 'node:path';
import { z } from 'zod';
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { modelInvalid, modelUnsupported } from './errors.js';
import { MarianTokenizer, type MarianSide } from './marian-tokenizer.js';
import { pieceTableOf } from './piece-decoder.js';
import { parseTokenizerJson, readTokenizerFile } from './read-tokenizer-file.js';
import { parseSpieceModel } from './sentencepiece/spiece-model.js';
import { UnigramEncoder } from './sentencepiece/unigram-encoder.js';
import type { SpecialToken } from './special-tokens.js';
import { specialTokensSchema } from './special-tokens-map.js';
import { parseTokenizerConfigJson, readTokenizerConfigJson } from './tokenizer-config.js';

const vocabSchema = z.record(z.string(), z.number().int().min(0).max(100_000_000));
const configSchema = specialTokensSchema.and(
  z.object({
    clean_up_tokenization_spaces: z.boolean().optional(),
    separate_vocabs: z.boolean().optional(),
  }),
);

async function readSide(file: string): Promise<MarianSide> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.spieceModelBytes,
    expected: 'a SentencePiece model',
    code: 'TOKENIZER_MODEL_INVALID',
  });
  const model = parseSpieceModel(bytes, file);
  const encoder = new UnigramEncoder(model, file);
  return { encodePieceSteps: (text) => encoder.encodePieceSteps(text), pieces: pieceTableOf(model.pieces, model.types) };
}

async function readVocab(file: string): Promise<Map<string, number>> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.tokenizerJsonBytes,
    expected: "MarianTokenizer's vocab.json",
    code: 'TOKENIZER_MODEL_INVALID',
  });
  const parsed = vocabSchema.safeParse(parseTokenizerJson(bytes.toString('utf8'), file, 'TOKENIZER_MODEL_INVALID'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw modelInvalid(file, 'vocab.json must map each token to an id', {
      field: issue?.path.join('.') ?? '',
      expected: 'a JSON object of token -> integer id >= 0',
    });
  }
  return new Map(Object.entries(parsed.data));
}

/** Reads a Marian directory's tokenizer files and returns HF's MarianTokenizer over them. */
export async function loadMarianTokenizer(dir: string): Promise<MarianTokenizer> {
  const read = await readTokenizerConfigJson(dir);
  const config: z.output<typeof configSchema> = read === undefined ? {} : parseTokenizerConfigJson(configSchema, read.json, read.file);
  if (config.separate_vocabs === true) {
    throw modelUnsupported(read?.file ?? join(dir, 'tokenizer_config.json'), {
      field: 'separate_vocabs',
      given: 'true (a target_vocab.json for the target side)',
      expected: 'false: one joint vocab.json (separate vocabularies are not implemented in the tokenizer yet)',
    });
  }
  const vocabFile = join(dir, 'vocab.json');
  const [source, target, vocab] = await Promise.all([
    readSide(join(dir, 'source.spm')),
    readSide(join(dir, 'target.spm')),
    readVocab(vocabFile),
  ]);
  const idOf = (role: string, content: string): number => {
    const id = vocab.get(content);
    if (id === undefined)
      throw modelInvalid(vocabFile, `vocab.json lacks the ${role} token`, { given: content, expected: `an entry for ${content}` });
    return id;
  };
  const eos = config.eos_token ?? '</s>';
  const unk = config.unk_token ?? '<unk>';
  const pad = config.pad_token ?? '<pad>';
  const specialTokens: SpecialToken[] = [
    { content: eos, id: idOf('eos', eos), stripsSpaces: false },
    { content: unk, id: idOf('unk', unk), stripsSpaces: false },
    { content: pad, id: idOf('pad', pad), stripsSpaces: false },
  ];
  return new MarianTokenizer({
    source,
    target,
    vocab,
    specialTokens,
    eosTokenId: specialTokens[0]?.id ?? 0,
    unkTokenId: specialTokens[1]?.id ?? 0,
    padTokenId: specialTokens[2]?.id ?? 0,
    cleanUpSpaces: config.clean_up_tokenization_spaces ?? true,
  });
}
