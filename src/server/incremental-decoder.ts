/**
 * Turns a growing list of generated ids into text deltas for streaming. Decoding a sliding window
 * (previous token + new ones) keeps each step O(1) and lets SentencePiece's leading-space and
 * clean-up rules see the same context as a full decode; a delta ending in U+FFFD (a byte-fallback
 * piece cut in half) is held back until the next token completes it.
 */
import type { TextTokenizer } from './text-tokenizer.js';

/** One stream's decoder state. */
export class IncrementalDecoder {
  private readonly tokenizer: TextTokenizer;
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;
  private emitted = '';

  constructor(tokenizer: TextTokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Adds one id; returns the text it completes ('' when held back or special). */
  push(id: number): string {
    this.ids.push(id);
    const prefixText = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.decode(this.ids.slice(this.prefixOffset));
    if (newText.length > prefixText.length && !newText.endsWith('\uFFFD')) {
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      const delta = newText.startsWith(prefixText)
        ? newText.slice(prefixText.length)
        : newText.slice(commonPrefixLength(prefixText, newText));
      this.emitted += delta;
      return delta;
    }
    return '';
  }

  /** At the end of a stream: whatever the full decode has beyond what was already emitted. */
  flush(): string {
    const full = this.fullText();
    const rest = full.startsWith(this.emitted) ? full.slice(this.emitted.length) : '';
    this.emitted += rest;
    return rest;
  }

  /** Text of everything pushed, decoded in one go (what non-streaming routes return). */
  fullText(): string {
    return this.decode(this.ids);
  }

  private decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode(ids, { skipSpecialTokens: true });
  }
}

function commonPrefixLength(a: string, b: string): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  return index;
}
