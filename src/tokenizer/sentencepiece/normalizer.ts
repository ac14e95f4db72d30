// SentencePiece's Normalizer::Normalize (normalizer.cc) over UTF-8 bytes: charsmap rules, then the
// whitespace handling (drop leading/trailing spaces, collapse runs, `▁` for space, the dummy prefix).
import { runToEnd, type Steps } from '../time-slices.js';
import type { PrecompiledCharsmap } from './precompiled-charsmap.js';
import type { NormalizerSpec } from './unigram-model.js';

const SPACE = 0x20;
const SPACE_SYMBOL = Uint8Array.from([0xe2, 0x96, 0x81]);
const ALWAYS_PLAIN = 1;
const PLAIN_BEFORE_ASCII = 2;
const REPLACEMENT_CHARACTER = Uint8Array.from([0xef, 0xbf, 0xbd]);
/** Input bytes per step of {@link SentencePieceNormalizer.normalizeSteps}: a millisecond or so of work. */
const STEP_BYTES = 16_384;

/** Byte length of the UTF-8 character starting with `lead`, or 0 when `lead` cannot start one. */
export function utf8Length(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

function validCharLength(input: Uint8Array, start: number, end: number): number {
  const length = utf8Length(input[start] ?? 0);
  if (length === 0 || start + length > end) return 0;
  for (let position = start + 1; position < start + length; position += 1) {
    if (((input[position] ?? 0) & 0xc0) !== 0x80) return 0;
  }
  return length;
}

/** A growable byte buffer. */
class ByteSink {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }
  push(source: Uint8Array, start: number, end: number): void {
    const size = end - start;
    if (this.length + size > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + size));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    // Copying byte by byte beats subarray + set for the few bytes of one character.
    const bytes = this.bytes;
    let length = this.length;
    for (let index = start; index < end; index += 1) bytes[length++] = source[index] ?? 0;
    this.length = length;
  }
  pushByte(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length] = byte;
    this.length += 1;
  }
  endsWith(suffix: Uint8Array): boolean {
    if (this.length < suffix.length) return false;
    for (let index = 0; index < suffix.length; index += 1) {
      if (this.bytes[this.length - suffix.length + index] !== suffix[index]) return false;
    }
    return true;
  }
}

/** Normalizes text as SentencePiece does before encoding; the result is UTF-8. */
export class SentencePieceNormalizer {
  private readonly spec: NormalizerSpec;
  private readonly charsmap: PrecompiledCharsmap | undefined;
  /**
   * Per ASCII byte: ALWAYS_PLAIN when no rule starts with it; PLAIN_BEFORE_ASCII when its rules all go on with
   * non-ASCII bytes (a letter + combining mark), so it is copied as it is when an ASCII byte follows.
   */
  private readonly plainAscii = new Uint8Array(256);

  constructor(spec: NormalizerSpec, charsmap: PrecompiledCharsmap | undefined) {
    this.spec = spec;
    this.charsmap = charsmap;
    for (let byte = 0; byte < 0x80; byte += 1) {
      if (charsmap === undefined || !charsmap.startsRule(byte)) this.plainAscii[byte] = ALWAYS_PLAIN;
      else if (charsmap.longestMatch(Uint8Array.of(byte), 0, 1) === undefined && !charsmap.continuesWithAscii(byte))
        this.plainAscii[byte] = PLAIN_BEFORE_ASCII;
    }
  }

  /** Normalizes UTF-8 `input`. */
  normalize(input: Uint8Array): Uint8Array {
    return runToEnd(this.normalizeSteps(input));
  }

  /** {@link normalize} in steps of {@link STEP_BYTES} input bytes. */
  *normalizeSteps(input: Uint8Array): Steps<Uint8Array> {
    const end = input.length;
    let position = 0;
    if (this.spec.removeExtraWhitespaces) {
      while (position < end) {
        const prefix = this.prefixAt(input, position, end);
        if (!isSingleSpace(prefix)) break;
        position += prefix.consumed;
        if (position % STEP_BYTES === 0) yield;
      }
    }
    if (position >= end) return new Uint8Array(0);
    const out = new ByteSink(end * 2 + 3);
    const space = this.spec.escapeWhitespaces ? SPACE_SYMBOL : Uint8Array.of(SPACE);
    if (this.spec.addDummyPrefix) out.push(space, 0, space.length);
    let previousIsSpace = this.spec.removeExtraWhitespaces;
    let pauseAt = STEP_BYTES;
    while (position < end) {
      if (position >= pauseAt) {
        yield;
        pauseAt = position + STEP_BYTES;
      }
      const byte = input[position] ?? 0;
      const plain = this.plainAscii[byte];
      const next = position + 1 < end ? (input[position + 1] ?? 0) : 0x20;
      if (plain === ALWAYS_PLAIN || (plain === PLAIN_BEFORE_ASCII && next > 0 && next < 0x80)) {
        // Fast path: an ASCII character no rule rewrites (same result as the general path below).
        if (byte !== SPACE) {
          out.pushByte(byte);
          previousIsSpace = false;
        } else if (!previousIsSpace) {
          out.push(space, 0, space.length);
          previousIsSpace = this.spec.removeExtraWhitespaces;
        }
        position += 1;
        continue;
      }
      const prefix = this.prefixAt(input, position, end);
      let start = prefix.start;
      if (previousIsSpace) while (start < prefix.end && prefix.source[start] === SPACE) start += 1;
      if (start < prefix.end) {
        this.emit(out, prefix.source, start, prefix.end);
        previousIsSpace = prefix.source[prefix.end - 1] === SPACE;
      }
      position += prefix.consumed;
      if (!this.spec.removeExtraWhitespaces) previousIsSpace = false;
    }
    if (this.spec.removeExtraWhitespaces) while (out.endsWith(space)) out.length -= space.length;
    return out.bytes.slice(0, out.length);
  }

  private emit(out: ByteSink, source: Uint8Array, start: number, end: number): void {
    if (!this.spec.escapeWhitespaces) {
      out.push(source, start, end);
      return;
    }
    let runStart = start;
    for (let index = start; index < end; index += 1) {
      if (source[index] !== SPACE) continue;
      out.push(source, runStart, index);
      out.push(SPACE_SYMBOL, 0, SPACE_SYMBOL.length);
      runStart = index + 1;
    }
    out.push(source, runStart, end);
  }

  /** Normalizer::NormalizePrefix: the longest charsmap rule, else one UTF-8 character (U+FFFD for one bad byte). */
  private prefixAt(input: Uint8Array, position: number, end: number): NormalizedPrefix {
    const match = this.charsmap?.longestMatch(input, position, end);
    if (match !== undefined && this.charsmap !== undefined) {
      return { source: this.charsmap.replacements, start: match.replacementStart, end: match.replacementEnd, consumed: match.length };
    }
    const length = validCharLength(input, position, end);
    if (length === 0) return { source: REPLACEMENT_CHARACTER, start: 0, end: 3, consumed: 1 };
    return { source: input, start: position, end: position + length, consumed: length };
  }
}

/** The normalized text of one input prefix: bytes `source[start..end)`, replacing `consumed` input bytes. */
interface NormalizedPrefix {
  readonly source: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly consumed: number;
}

function isSingleSpace(prefix: NormalizedPrefix): boolean {
  return prefix.end - prefix.start === 1 && prefix.source[prefix.start] === SPACE;
}
