// HF's slow T5Tokenizer (transformers 4.36) around a SentencePiece encoder: special tokens found in the
// text, the `legacy` switch, the appended `</s>`, and decoding with or without special tokens.
import { tokenizerError } from './errors.js';
import { cleanUpTokenization, tokensToString, type PieceTable } from './piece-decoder.js';
import { pythonLstrip, pythonRstrip } from './python-text.js';
import { SpecialTokenSplitter, type SpecialToken, type TextPart } from './special-tokens.js';
import type { SteppedPieceEncoder } from './sentencepiece/piece-encoder.js';
import { runInSlices, runToEnd, type Steps } from './time-slices.js';
import type { DecodeOptions, EncodeAsyncOptions, EncodeOptions, SpecialTokensMap, Tokenizer } from './tokenizer.js';

const SPACE_SYMBOL = '\u2581';

/** Default work between two yields of {@link T5Tokenizer.encodeAsync}, in ms. */
const DEFAULT_SLICE_MS = 10;

/** Parts of the text (special tokens and the stretches between them) per pause of the encoding. */
const PARTS_PER_STEP = 256;

/** The ids of one part of the input, and whether that part was a special token. */
interface Chunk {
  readonly ids: number[];
  readonly special: boolean;
}

/** Everything a {@link T5Tokenizer} is built from. */
export interface T5TokenizerParts {
  /** Token text of every id below vocabSize: the SentencePiece pieces, then the extra ids. */
  readonly tokens: readonly string[];
  readonly pieces: PieceTable;
  readonly specialTokens: readonly SpecialToken[];
  /** The SentencePiece encoder HF would use (with add_dummy_prefix off when `legacy` is false). */
  readonly encoder: SteppedPieceEncoder;
  /** tokenizer_config.json `legacy` (HF's default for T5 is true). */
  readonly legacy: boolean;
  /** tokenizer_config.json `clean_up_tokenization_spaces` (default true). */
  readonly cleanUpSpaces: boolean;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly unkTokenId: number;
}

/** A T5 tokenizer that reproduces HF T5Tokenizer ids and decoded text. */
export class T5Tokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly eosTokenIds: readonly number[];
  readonly unkTokenId: number;
  readonly specialTokensMap: SpecialTokensMap;
  readonly maxTokenChars: number;
  private readonly parts: T5TokenizerParts;
  private readonly splitter: SpecialTokenSplitter;
  private readonly specialIds: ReadonlySet<number>;
  private readonly specialContents: ReadonlySet<string>;
  /** Extra ids sit outside the SentencePiece model; HF decodes them as separate words. */
  private readonly addedIds: ReadonlySet<number>;
  private readonly spaceId: number | undefined;
  private readonly unkPrefixLength: number;

  constructor(parts: T5TokenizerParts) {
    this.parts = parts;
    this.vocabSize = parts.tokens.length;
    this.padTokenId = parts.padTokenId;
    this.eosTokenId = parts.eosTokenId;
    this.eosTokenIds = [parts.eosTokenId];
    this.unkTokenId = parts.unkTokenId;
    const token = (id: number): string => parts.tokens[id] ?? '';
    const additional = parts.specialTokens.filter((special) => special.stripsSpaces).map((special) => special.content);
    // T5Tokenizer lists the extra ids from <extra_id_0> up.
    this.specialTokensMap = {
      eos_token: token(parts.eosTokenId),
      unk_token: token(parts.unkTokenId),
      pad_token: token(parts.padTokenId),
      ...(additional.length === 0 ? {} : { additional_special_tokens: additional.reverse() }),
    };
    this.maxTokenChars = parts.tokens.reduce((longest, token) => Math.max(longest, token.length), 1);
    this.splitter = new SpecialTokenSplitter(parts.specialTokens);
    this.specialIds = new Set(parts.specialTokens.map((token) => token.id));
    this.specialContents = new Set(parts.specialTokens.map((token) => token.content));
    this.addedIds = new Set(parts.specialTokens.filter((token) => !parts.pieces.idOfPiece.has(token.content)).map((token) => token.id));
    this.spaceId = parts.pieces.idOfPiece.get(SPACE_SYMBOL);
    const unkContent = parts.tokens[parts.unkTokenId] ?? '<unk>';
    this.unkPrefixLength = parts.legacy ? 0 : parts.encoder.encodeIds(unkContent).length;
  }

  /** `tokenizer(text).input_ids`: the ids of the text followed by `</s>` (not doubled when the text ends with it; none with addSpecialTokens false). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return runToEnd(this.encodeSteps(text, options.addSpecialTokens ?? true));
  }

  /** {@link encode} in slices of about `sliceMs` (default 10) of work, the event loop running in between. */
  encodeAsync(text: string, options: EncodeAsyncOptions = {}): Promise<number[]> {
    return runInSlices(this.encodeSteps(text, options.addSpecialTokens ?? true), options.sliceMs ?? DEFAULT_SLICE_MS);
  }

  private *encodeSteps(text: string, addEos: boolean): Steps<number[]> {
    // A lone UTF-16 surrogate has no UTF-8 form; both encoders then see U+FFFD.
    const ids = yield* this.tokenize(text.replace(/\p{Cs}/gu, '\ufffd'));
    if (!addEos) return ids;
    if (ids.length === 0 || ids[ids.length - 1] !== this.eosTokenId) ids.push(this.eosTokenId);
    return ids;
  }

  /** HF `decode`: special tokens kept unless skipSpecialTokens; ids past the vocabulary are dropped (as HF's fast tokenizer does). */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const kept = this.keptIds(ids, options.skipSpecialTokens ?? false);
    const isSpecial = (token: string): boolean => this.specialContents.has(token);
    const texts: string[] = [];
    let current: string[] = [];
    for (const id of kept) {
      const token = this.parts.tokens[id] ?? '';
      if (!this.addedIds.has(id)) {
        current.push(token);
        continue;
      }
      if (current.length > 0) {
        const text = tokensToString(current, this.parts.pieces, isSpecial);
        if (text.length > 0) texts.push(text);
        current = [];
      }
      texts.push(token);
    }
    if (current.length > 0) texts.push(tokensToString(current, this.parts.pieces, isSpecial));
    const text = texts.join(' ');
    return this.parts.cleanUpSpaces ? cleanUpTokenization(text) : text;
  }

  /** True for `<pad>`, `</s>`, `<unk>` and the `<extra_id_N>` ids. */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** HF `convert_ids_to_tokens`: piece or special-token text per id (ids past the vocabulary are left out). */
  convertIdsToTokens(ids: readonly number[], skipSpecialTokens = false): string[] {
    return this.keptIds(ids, skipSpecialTokens).map((id) => this.parts.tokens[id] ?? '');
  }

  private keptIds(ids: readonly number[], skipSpecialTokens: boolean): number[] {
    const kept: number[] = [];
    for (const id of ids) {
      if (!Number.isSafeInteger(id) || id < 0) {
        throw tokenizerError('TOKENIZER_ID_INVALID', 'token id is not a non-negative integer', { given: String(id) });
      }
      if (id >= this.vocabSize || (skipSpecialTokens && this.specialIds.has(id))) continue;
      kept.push(id);
    }
    return kept;
  }

  /** T5Tokenizer.tokenize as ids (without `</s>`). */
  private *tokenize(text: string): Steps<number[]> {
    if (this.parts.legacy || text.length === 0) return yield* concatIds(yield* this.tokenizeParts(text));
    const chunks = yield* this.tokenizeParts(SPACE_SYMBOL + text.replaceAll(SPACE_SYMBOL, ' '));
    // HF drops the added prefix `▁` when a special token follows it directly.
    const first = chunks.findIndex((chunk) => chunk.ids.length > 0);
    const firstChunk = chunks[first];
    if (firstChunk !== undefined && firstChunk.ids.length === 1 && firstChunk.ids[0] === this.spaceId) {
      const next = chunks.slice(first + 1).find((chunk) => chunk.ids.length > 0);
      if (next?.special === true) firstChunk.ids.length = 0;
    }
    return yield* concatIds(chunks);
  }

  /** PreTrainedTokenizer.tokenize: split out special tokens, strip spaces around those that eat them, encode the rest. */
  private *tokenizeParts(text: string): Steps<Chunk[]> {
    const parts: TextPart[] = yield* this.splitter.splitSteps(text);
    const texts = parts.map((part) => part.text);
    parts.forEach((part, index) => {
      if (part.special === undefined || !part.special.stripsSpaces) return;
      const right = texts[index + 1];
      const left = texts[index - 1];
      if (right) texts[index + 1] = pythonLstrip(right);
      if (left) texts[index - 1] = pythonRstrip(left);
    });
    const chunks: Chunk[] = [];
    for (const [index, part] of parts.entries()) {
      const partText = texts[index] ?? '';
      if (partText.length === 0) continue;
      if (part.special !== undefined && partText === part.special.content) {
        chunks.push({ ids: [part.special.id], special: true });
      } else {
        chunks.push({ ids: yield* this.encodePiece(partText), special: false });
      }
      // Text of many short parts (special tokens between single letters) pauses too.
      if (index % PARTS_PER_STEP === PARTS_PER_STEP - 1) yield;
    }
    return chunks;
  }

  /** T5Tokenizer._tokenize: with `legacy` false, a leading space survives through a `<unk>` prefix that is cut off again. */
  private *encodePiece(text: string): Steps<number[]> {
    if (this.parts.legacy || !(text.startsWith(SPACE_SYMBOL) || text.startsWith(' '))) {
      return yield* this.parts.encoder.encodeSteps(text);
    }
    const unkContent = this.parts.tokens[this.unkTokenId] ?? '<unk>';
    const ids = yield* this.parts.encoder.encodeSteps(unkContent + text);
    return ids.length >= this.unkPrefixLength ? ids.slice(this.unkPrefixLength) : ids;
  }
}

/** The ids of all chunks in order, pausing every {@link PARTS_PER_STEP} chunks. */
function* concatIds(chunks: readonly Chunk[]): Steps<number[]> {
  const ids: number[] = [];
  for (const [index, chunk] of chunks.entries()) {
    for (const id of chunk.ids) ids.push(id);
    if (index % PARTS_PER_STEP === PARTS_PER_STEP - 1) yield;
  }
  return ids;
}
