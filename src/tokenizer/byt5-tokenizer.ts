// HF's ByT5Tokenizer (transformers 4.36, models/byt5/tokenization_byt5.py): no vocabulary file; id 0 `<pad>`,
// 1 `</s>`, 2 `<unk>`, ids 3..258 the 256 byte values, then the added `<extra_id_N>` sentinels (counting UP
// from 259). https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/byt5/tokenization_byt5.py
import { cleanUpTokenization } from './piece-decoder.js';
import { pythonLstrip, pythonRstrip } from './python-text.js';
import { SpecialTokenSplitter, type SpecialToken } from './special-tokens.js';
import { runInSlices, runToEnd, type Steps } from './time-slices.js';
import { tokenizerError } from './errors.js';
import type { DecodeOptions, EncodeAsyncOptions, EncodeOptions, SpecialTokensMap, Tokenizer } from './tokenizer.js';
import { decodeUtf8Ignoring } from './utf8-ignore.js';

/** Ids before the first byte: `<pad>`, `</s>`, `<unk>`. */
export const BYTE_OFFSET = 3;
const BYTE_VALUES = 256;
const DEFAULT_SLICE_MS = 10;
/** Text parts (special tokens and the stretches between them) per pause of the encoding. */
const PARTS_PER_STEP = 256;

function checkedId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw tokenizerError('TOKENIZER_ID_INVALID', 'token id is not a non-negative integer', { given: String(id) });
  }
  return id;
}

/** What a {@link ByT5Tokenizer} is built from. */
export interface ByT5Parts {
  /** `<pad>` 0, `</s>` 1, `<unk>` 2 and the sentinels, with whether each eats the spaces around it. */
  readonly specialTokens: readonly SpecialToken[];
  /** tokenizer_config.json `clean_up_tokenization_spaces` (true in ByT5's saved configs, and applied to bytes too). */
  readonly cleanUpSpaces: boolean;
}

/** A byte tokenizer with HF ByT5Tokenizer's exact ids and decoded text. */
export class ByT5Tokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly padTokenId = 0;
  readonly eosTokenId = 1;
  readonly unkTokenId = 2;
  readonly eosTokenIds: readonly number[] = [1];
  readonly specialTokensMap: SpecialTokensMap;
  readonly maxTokenChars: number;
  private readonly splitter: SpecialTokenSplitter;
  private readonly contentOf: ReadonlyMap<number, string>;
  /** HF decodes added tokens above the byte range as separate words (its "legacy added tokens"). */
  private readonly separateIds: ReadonlySet<number>;

  constructor(private readonly parts: ByT5Parts) {
    this.splitter = new SpecialTokenSplitter(parts.specialTokens);
    this.contentOf = new Map(parts.specialTokens.map((token) => [token.id, token.content]));
    this.separateIds = new Set(parts.specialTokens.filter((token) => token.id >= BYTE_VALUES).map((token) => token.id));
    this.vocabSize = parts.specialTokens.reduce((size, token) => Math.max(size, token.id + 1), BYTE_OFFSET + BYTE_VALUES);
    this.maxTokenChars = parts.specialTokens.reduce((longest, token) => Math.max(longest, token.content.length), 1);
    const sentinels = parts.specialTokens.filter((token) => token.id >= BYTE_OFFSET).map((token) => token.content);
    this.specialTokensMap = {
      eos_token: this.contentOf.get(this.eosTokenId) ?? '</s>',
      unk_token: this.contentOf.get(this.unkTokenId) ?? '<unk>',
      pad_token: this.contentOf.get(this.padTokenId) ?? '<pad>',
      ...(sentinels.length === 0 ? {} : { additional_special_tokens: sentinels }),
    };
  }

  /** `tokenizer(text).input_ids`: UTF-8 bytes + 3, special tokens written in the text recognised, `</s>` appended once (none with addSpecialTokens false). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return runToEnd(this.encodeSteps(text, options.addSpecialTokens ?? true));
  }

  /** {@link encode} in slices of about `sliceMs` (default 10) of work. */
  encodeAsync(text: string, options: EncodeAsyncOptions = {}): Promise<number[]> {
    return runInSlices(this.encodeSteps(text, options.addSpecialTokens ?? true), options.sliceMs ?? DEFAULT_SLICE_MS);
  }

  /** HF `decode`: bytes joined and read as UTF-8 ignoring errors, sentinels as separate words, then clean-up. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const texts: string[] = [];
    let bytes: number[] = [];
    const flush = (): string => {
      const text = decodeUtf8Ignoring(Uint8Array.from(bytes));
      bytes = [];
      return text;
    };
    let pending = false;
    for (const id of this.keptIds(ids, options.skipSpecialTokens ?? false)) {
      if (this.separateIds.has(id)) {
        if (pending) {
          const text = flush();
          if (text.length > 0) texts.push(text);
        }
        pending = false;
        texts.push(this.contentOf.get(id) ?? '');
        continue;
      }
      pending = true;
      const content = this.contentOf.get(id);
      if (content === undefined) bytes.push(id - BYTE_OFFSET);
      else for (const byte of new TextEncoder().encode(content)) bytes.push(byte);
    }
    if (pending) texts.push(flush());
    const text = texts.join(' ');
    return this.parts.cleanUpSpaces ? cleanUpTokenization(text) : text;
  }

  /** True for `<pad>`, `</s>`, `<unk>` and the sentinels. */
  isSpecial(id: number): boolean {
    return this.contentOf.has(id);
  }

  /** HF `convert_ids_to_tokens`: a byte is the one-character string `chr(byte)`. */
  convertIdsToTokens(ids: readonly number[], skipSpecialTokens = false): string[] {
    return this.keptIds(ids, skipSpecialTokens).map((id) => this.contentOf.get(id) ?? String.fromCharCode(id - BYTE_OFFSET));
  }

  // Ids past the vocabulary are left out, as T5Tokenizer here does (HF's slow ByT5Tokenizer fails on them).
  private keptIds(ids: readonly number[], skipSpecialTokens: boolean): number[] {
    return ids.filter((id) => {
      const special = this.contentOf.has(checkedId(id));
      if (special) return !skipSpecialTokens;
      return id >= BYTE_OFFSET && id - BYTE_OFFSET < BYTE_VALUES;
    });
  }

  /** PreTrainedTokenizer.tokenize + ByT5's `_tokenize`, then `_add_eos_if_not_present`. */
  private *encodeSteps(text: string, addEos: boolean): Steps<number[]> {
    const parts = yield* this.splitter.splitSteps(text);
    const texts = parts.map((part) => part.text);
    // HF strips the neighbours of an lstrip/rstrip token in order, seeing the ones already stripped.
    parts.forEach((part, index) => {
      if (part.special?.stripsSpaces !== true) return;
      const right = texts[index + 1];
      const left = texts[index - 1];
      if (right) texts[index + 1] = pythonLstrip(right);
      if (left) texts[index - 1] = pythonRstrip(left);
    });
    const ids: number[] = [];
    const encoder = new TextEncoder();
    for (const [index, part] of parts.entries()) {
      const partText = texts[index] ?? '';
      if (part.special !== undefined && partText === part.special.content) ids.push(part.special.id);
      else for (const byte of encoder.encode(partText)) ids.push(byte + BYTE_OFFSET);
      if (index % PARTS_PER_STEP === PARTS_PER_STEP - 1) yield;
    }
    if (addEos && ids.at(-1) !== this.eosTokenId) ids.push(this.eosTokenId);
    return ids;
  }
}
