// tokenizer.json (HF fast-tokenizer format) of a T5 model, read back into the SentencePiece unigram
// model it was converted from: vocabulary + scores, the precompiled charsmap, and the whitespace flags.
import { z } from 'zod';
import { modelInvalid, modelUnsupported } from '../errors.js';
import { PieceType, type UnigramModel } from '../sentencepiece/unigram-model.js';

const addedTokenSchema = z.object({ id: z.number().int().min(0), content: z.string(), special: z.boolean().optional() });
const normalizerSchema = z.looseObject({
  type: z.string(),
  precompiled_charsmap: z.string().nullable().optional(),
  pattern: z.object({ Regex: z.string().optional(), String: z.string().optional() }).optional(),
  content: z.string().optional(),
  get normalizers() {
    return z.array(normalizerSchema).optional();
  },
});
const preTokenizerSchema = z.looseObject({
  type: z.string(),
  replacement: z.string().optional(),
  add_prefix_space: z.boolean().optional(),
  prepend_scheme: z.enum(['always', 'first', 'never']).optional(),
  get pretokenizers() {
    return z.array(preTokenizerSchema).optional();
  },
});
const tokenizerJsonSchema = z.object({
  added_tokens: z.array(addedTokenSchema).default([]),
  normalizer: normalizerSchema.nullable().optional(),
  pre_tokenizer: preTokenizerSchema.nullable().optional(),
  model: z.object({
    type: z.string().optional(),
    unk_id: z.number().int().min(0).nullable().optional(),
    vocab: z.array(z.tuple([z.string(), z.number()])).min(1),
    byte_fallback: z.boolean().optional(),
  }),
});

type NormalizerJson = z.infer<typeof normalizerSchema>;
type PreTokenizerJson = z.infer<typeof preTokenizerSchema>;

/** The unigram model of a tokenizer.json, and how many of its ids are SentencePiece pieces (the rest: extra ids). */
export interface TokenizerJsonModel {
  readonly model: UnigramModel;
  readonly pieceCount: number;
}

const EXTRA_ID = /^<extra_id_\d+>$/u;

/** Collects the precompiled charsmap of a (possibly nested) normalizer; rejects normalizers SentencePiece does not have. */
function readNormalizer(normalizer: NormalizerJson | null | undefined, file: string, charsmaps: Uint8Array[]): void {
  if (normalizer === null || normalizer === undefined) return;
  switch (normalizer.type) {
    case 'Sequence':
      for (const inner of normalizer.normalizers ?? []) readNormalizer(inner, file, charsmaps);
      return;
    case 'Precompiled':
      charsmaps.push(Buffer.from(normalizer.precompiled_charsmap ?? '', 'base64'));
      return;
    case 'Replace':
      // The converter's stand-in for SentencePiece's remove_extra_whitespaces, which our normalizer does itself.
      if (normalizer.pattern?.Regex === ' {2,}' && normalizer.content === ' ') return;
      break;
    default:
      break;
  }
  throw modelUnsupported(file, {
    field: 'normalizer',
    given: normalizer.type,
    expected: 'Precompiled (+ Replace " {2,}"), as T5 converts to',
  });
}

/** Whether the pre-tokenizer puts `▁` before the text (SentencePiece's add_dummy_prefix). */
function readDummyPrefix(preTokenizer: PreTokenizerJson | null | undefined, file: string): boolean {
  if (preTokenizer === null || preTokenizer === undefined) return true;
  switch (preTokenizer.type) {
    case 'Sequence':
      return (preTokenizer.pretokenizers ?? []).every((inner) => readDummyPrefix(inner, file));
    case 'WhitespaceSplit':
      return true;
    case 'Metaspace':
      if (preTokenizer.prepend_scheme !== undefined) return preTokenizer.prepend_scheme !== 'never';
      return preTokenizer.add_prefix_space ?? true;
    default:
      throw modelUnsupported(file, {
        field: 'pre_tokenizer',
        given: preTokenizer.type,
        expected: 'Metaspace or WhitespaceSplit, as T5 converts to',
      });
  }
}

/** Parses the JSON of a tokenizer.json (already `JSON.parse`d) into a unigram model. */
export function readTokenizerJson(json: unknown, file: string): TokenizerJsonModel {
  const parsed = tokenizerJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw modelInvalid(file, `not a tokenizer.json: ${issue?.message ?? 'invalid'}`, { field: issue?.path.join('.') ?? '' });
  }
  const { model: jsonModel, added_tokens: addedTokens } = parsed.data;
  if (jsonModel.type !== undefined && jsonModel.type !== 'Unigram') {
    throw modelUnsupported(file, { field: 'model.type', given: jsonModel.type, expected: 'Unigram (T5) or BPE (decoder-only models)' });
  }
  if (jsonModel.byte_fallback === true)
    throw modelUnsupported(file, { field: 'model.byte_fallback', given: 'true', expected: 'false, as in T5' });
  const charsmaps: Uint8Array[] = [];
  readNormalizer(parsed.data.normalizer, file, charsmaps);
  if (charsmaps.length > 1)
    throw modelUnsupported(file, { field: 'normalizer', given: `${charsmaps.length} Precompiled`, expected: 'at most one' });
  const vocab = jsonModel.vocab;
  const unkId = jsonModel.unk_id ?? -1;
  if (unkId < 0 || unkId >= vocab.length)
    throw modelInvalid(file, 'model.unk_id is missing or outside the vocabulary', { field: 'model.unk_id', given: String(unkId) });
  const types = new Uint8Array(vocab.length).fill(PieceType.normal);
  for (const token of addedTokens) if (token.special === true && token.id < vocab.length) types[token.id] = PieceType.control;
  types[unkId] = PieceType.unknown;
  const extraIds = addedTokens.filter((token) => EXTRA_ID.test(token.content)).map((token) => token.id);
  const pieceCount = vocab.length - extraIds.length;
  if (extraIds.some((id) => id < pieceCount))
    throw modelUnsupported(file, { field: 'added_tokens', expected: 'the <extra_id_N> tokens at the end of the vocabulary, as in T5' });
  return {
    model: {
      pieces: vocab.map(([piece]) => piece),
      scores: Float32Array.from(vocab, ([, score]) => score),
      types,
      unkId,
      normalizer: {
        precompiledCharsmap: charsmaps[0] ?? new Uint8Array(0),
        addDummyPrefix: readDummyPrefix(parsed.data.pre_tokenizer, file),
        removeExtraWhitespaces: true,
        escapeWhitespaces: true,
      },
    },
    pieceCount,
  };
}
