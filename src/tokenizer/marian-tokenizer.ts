// HF's slow MarianTokenizer (transformers 4.36): two SentencePiece models (source for inputs, target for
// `text_target` and, by default, for decoding) around one joint vocab.json that gives every id.
// https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/marian/tokenization_marian.py
import { tokenizerError } from './errors.js';
import { cleanUpTokenization, decodePieces, type PieceTable } from './piece-decoder.js';
import { pythonStrip } from './python-text.js';
import { SpecialTokenSplitter, type SpecialToken } from './special-tokens.js';
import { runInSlices, runToEnd, type Steps } from './time-slices.js';
import type { DecodeOptions, EncodeAsyncOptions, EncodeOptions, SpecialTokensMap, Tokenizer } from './tokenizer.js';

const SPACE_SYMBOL = '\u2581';
const DEFAULT_SLICE_MS = 10;
// MarianTokenizer.language_code_re `>>.+<<` (greedy); Python's `.` stops only at \n.
const LANGUAGE_CODE = />>[^\n]+<</u;
const LANGUAGE_CODES = />>[^\n]+<</gu;

/** One SentencePiece model of the pair: its encoder to piece strings and what decoding needs of its pieces. */
export interface MarianSide {
  encodePieceSteps(text: string): Steps<string[]>;
  readonly pieces: PieceTable;
}

/** Everything a {@link MarianTokenizer} is built from. */
export interface MarianTokenizerParts {
  readonly source: MarianSide;
  readonly target: MarianSide;
  /** vocab.json: piece (or special token, or language code) -> id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** `</s>`, `<unk>`, `<pad>` with their vocab.json ids (none strips spaces in MarianTokenizer). */
  readonly specialTokens: readonly SpecialToken[];
  readonly eosTokenId: number;
  readonly unkTokenId: number;
  readonly padTokenId: number;
  readonly cleanUpSpaces: boolean;
}

/** {@link MarianTokenizer.decode}'s options: HF `use_source_tokenizer` decodes with source.spm. */
export interface MarianDecodeOptions extends DecodeOptions {
  readonly useSourceTokenizer?: boolean;
}

/** A Marian tokenizer that reproduces HF MarianTokenizer ids and decoded text. */
export class MarianTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly eosTokenIds: readonly number[];
  readonly unkTokenId: number;
  readonly specialTokensMap: SpecialTokensMap;
  readonly maxTokenChars: number;
  private readonly tokenOfId: ReadonlyMap<number, string>;
  private readonly splitter: SpecialTokenSplitter;
  private readonly specialIds: ReadonlySet<number>;
  private readonly specialContents: ReadonlySet<string>;

  constructor(private readonly parts: MarianTokenizerParts) {
    this.padTokenId = parts.padTokenId;
    this.eosTokenId = parts.eosTokenId;
    this.eosTokenIds = [parts.eosTokenId];
    this.unkTokenId = parts.unkTokenId;
    const tokenOfId = new Map<number, string>();
    for (const [token, id] of parts.vocab) tokenOfId.set(id, token);
    for (const special of parts.specialTokens) tokenOfId.set(special.id, special.content);
    this.tokenOfId = tokenOfId;
    this.vocabSize = Math.max(-1, ...tokenOfId.keys()) + 1;
    const text = (id: number): string => tokenOfId.get(id) ?? '';
    this.specialTokensMap = { eos_token: text(parts.eosTokenId), unk_token: text(parts.unkTokenId), pad_token: text(parts.padTokenId) };
    this.maxTokenChars = [...tokenOfId.values()].reduce((longest, token) => Math.max(longest, token.length), 1);
    this.splitter = new SpecialTokenSplitter(parts.specialTokens);
    this.specialIds = new Set(parts.specialTokens.map((special) => special.id));
    this.specialContents = new Set(parts.specialTokens.map((special) => special.content));
  }

  /** `tokenizer(text).input_ids`: source.spm pieces through vocab.json, then `</s>` (none with addSpecialTokens false). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return runToEnd(this.encodeSteps(text, this.parts.source, options.addSpecialTokens ?? true));
  }

  /** {@link encode} in slices of about `sliceMs` (default 10) of work, the event loop running in between. */
  encodeAsync(text: string, options: EncodeAsyncOptions = {}): Promise<number[]> {
    return runInSlices(this.encodeSteps(text, this.parts.source, options.addSpecialTokens ?? true), options.sliceMs ?? DEFAULT_SLICE_MS);
  }

  /** `tokenizer(text_target=text).input_ids`: the same with target.spm. */
  encodeTarget(text: string, options: EncodeOptions = {}): number[] {
    return runToEnd(this.encodeSteps(text, this.parts.target, options.addSpecialTokens ?? true));
  }

  /** HF `decode`: target.spm unless `useSourceTokenizer`; an id vocab.json lacks reads as `<unk>`, as HF's slow tokenizer does. */
  decode(ids: readonly number[], options: MarianDecodeOptions = {}): string {
    const side = options.useSourceTokenizer === true ? this.parts.source : this.parts.target;
    const unk = this.tokenOfId.get(this.unkTokenId) ?? '<unk>';
    const tokens: string[] = [];
    for (const id of ids) {
      if (!Number.isSafeInteger(id) || id < 0) {
        throw tokenizerError('TOKENIZER_ID_INVALID', 'token id is not a non-negative integer', { given: String(id) });
      }
      if (options.skipSpecialTokens === true && this.specialIds.has(id)) continue;
      tokens.push(this.tokenOfId.get(id) ?? unk);
    }
    const text = this.tokensToString(tokens, side.pieces);
    return this.parts.cleanUpSpaces ? cleanUpTokenization(text) : text;
  }

  /** True for `</s>`, `<unk>` and `<pad>` (language codes are ordinary tokens). */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  // MarianTokenizer.convert_tokens_to_string: special tokens verbatim, each followed by a space; `▁` -> space; stripped.
  private tokensToString(tokens: readonly string[], pieces: PieceTable): string {
    let out = '';
    let current: string[] = [];
    for (const token of tokens) {
      if (!this.specialContents.has(token)) {
        current.push(token);
        continue;
      }
      out += `${decodePieces(current, pieces)}${token} `;
      current = [];
    }
    out += decodePieces(current, pieces);
    return pythonStrip(out.replaceAll(SPACE_SYMBOL, ' '));
  }

  private *encodeSteps(text: string, side: MarianSide, addEos: boolean): Steps<number[]> {
    // A lone UTF-16 surrogate has no UTF-8 form; SentencePiece then sees U+FFFD.
    const parts = yield* this.splitter.splitSteps(text.replace(/\p{Cs}/gu, '\ufffd'));
    const ids: number[] = [];
    for (const part of parts) {
      if (part.special !== undefined) {
        ids.push(part.special.id);
        continue;
      }
      // MarianTokenizer._tokenize: a code at the start of the stretch is one token; every code is cut from the text.
      const code = LANGUAGE_CODE.exec(part.text);
      const pieces = yield* side.encodePieceSteps(part.text.replace(LANGUAGE_CODES, ''));
      const tokens = code?.index === 0 ? [code[0], ...pieces] : pieces;
      for (const token of tokens) ids.push(this.parts.vocab.get(token) ?? this.unkTokenId);
    }
    if (addEos) ids.push(this.eosTokenId);
    return ids;
  }
}
