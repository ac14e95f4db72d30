// SentencePiece's precompiled normalization rules: a darts-clone double-array trie over UTF-8 bytes
// whose values point into a blob of NUL-terminated replacement strings.
// Layout: uint32 LE trie size in bytes, the trie units (uint32 LE each), then the replacement blob.
import { modelInvalid } from '../errors.js';

/** The longest rule matching at a position: bytes consumed and where its replacement lies in the blob. */
export interface CharsmapMatch {
  readonly length: number;
  readonly replacementStart: number;
  readonly replacementEnd: number;
}

/** Longest-prefix lookups in a precompiled charsmap. */
export class PrecompiledCharsmap {
  private readonly units: Uint32Array;
  /** Replacement strings, NUL-terminated, as UTF-8. */
  readonly replacements: Uint8Array;

  private constructor(units: Uint32Array, replacements: Uint8Array) {
    this.units = units;
    this.replacements = replacements;
  }

  /** Parses the charsmap bytes; an empty blob means no rules. */
  static parse(bytes: Uint8Array, file: string): PrecompiledCharsmap | undefined {
    if (bytes.length === 0) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const trieBytes = bytes.length >= 4 ? view.getUint32(0, true) : -1;
    if (trieBytes < 4 || trieBytes % 4 !== 0 || 4 + trieBytes > bytes.length) {
      throw modelInvalid(file, 'precompiled charsmap is malformed', {
        given: `${bytes.length} bytes`,
        expected: 'uint32 trie size, trie, strings',
      });
    }
    const units = new Uint32Array(trieBytes / 4);
    for (let index = 0; index < units.length; index += 1) units[index] = view.getUint32(4 + index * 4, true);
    return new PrecompiledCharsmap(units, bytes.slice(4 + trieBytes));
  }

  /** Whether some rule's source starts with `byte`. */
  startsRule(byte: number): boolean {
    const units = this.units;
    const position = offsetOf(units[0] ?? 0) ^ byte;
    return ((units[position] ?? 0) & 0x800000ff) >>> 0 === byte;
  }

  /** Whether a rule starting with `byte` goes on with an ASCII byte 1-127 (e.g. no: `a` only starts `a` + combining mark). */
  continuesWithAscii(byte: number): boolean {
    const units = this.units;
    let node = offsetOf(units[0] ?? 0) ^ byte;
    const unit = units[node] ?? 0;
    if ((unit & 0x800000ff) >>> 0 !== byte) return false;
    node ^= offsetOf(unit);
    for (let next = 1; next < 0x80; next += 1) {
      if (((units[node ^ next] ?? 0) & 0x800000ff) >>> 0 === next) return true;
    }
    return false;
  }

  /** The longest rule whose source is a prefix of `input[start..end)`, or undefined (darts-clone commonPrefixSearch). */
  longestMatch(input: Uint8Array, start: number, end: number): CharsmapMatch | undefined {
    const units = this.units;
    let nodePosition = 0;
    let unit = units[0] ?? 0;
    nodePosition ^= offsetOf(unit);
    let bestLength = 0;
    let bestValue = 0;
    for (let position = start; position < end; position += 1) {
      const label = input[position] ?? 0;
      nodePosition ^= label;
      unit = units[nodePosition] ?? 0;
      if ((unit & 0x800000ff) >>> 0 !== label) break;
      nodePosition ^= offsetOf(unit);
      if (((unit >>> 8) & 1) === 1) {
        bestLength = position - start + 1;
        bestValue = (units[nodePosition] ?? 0) & 0x7fffffff;
      }
    }
    if (bestLength === 0) return undefined;
    let replacementEnd = bestValue;
    while (replacementEnd < this.replacements.length && this.replacements[replacementEnd] !== 0) replacementEnd += 1;
    return { length: bestLength, replacementStart: bestValue, replacementEnd };
  }
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}
