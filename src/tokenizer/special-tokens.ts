import { runToEnd, type Steps } from './time-slices.js';

/** Special tokens found per pause of {@link SpecialTokenSplitter.splitSteps}. */
const MATCHES_PER_STEP = 1024;

/** A token written as one unit in text and never split by SentencePiece (T5: `<pad>`, `</s>`, `<unk>`, `<extra_id_N>`). */
export interface SpecialToken {
  readonly content: string;
  readonly id: number;
  /** Eats the spaces on both sides (HF AddedToken lstrip + rstrip), as T5's `<extra_id_N>` do. */
  readonly stripsSpaces: boolean;
}

/** One stretch of input: plain text for SentencePiece, or a special token. */
export type TextPart = { readonly text: string; readonly special?: undefined } | { readonly text: string; readonly special: SpecialToken };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds special tokens in text, leftmost first and longest among those starting at one place (HF's added-tokens trie). */
export class SpecialTokenSplitter {
  private readonly byContent: ReadonlyMap<string, SpecialToken>;
  private readonly pattern: RegExp | undefined;

  constructor(tokens: readonly SpecialToken[]) {
    this.byContent = new Map(tokens.map((token) => [token.content, token]));
    const contents = [...this.byContent.keys()].filter((content) => content.length > 0);
    contents.sort((left, right) => right.length - left.length);
    this.pattern = contents.length === 0 ? undefined : new RegExp(contents.map(escapeRegExp).join('|'), 'gu');
  }

  /** Splits text into non-empty parts; special tokens become their own parts. */
  split(text: string): TextPart[] {
    return runToEnd(this.splitSteps(text));
  }

  /** {@link split}, pausing every {@link MATCHES_PER_STEP} special tokens. */
  *splitSteps(text: string): Steps<TextPart[]> {
    const parts: TextPart[] = [];
    if (this.pattern === undefined) return text.length === 0 ? parts : [{ text }];
    let start = 0;
    let matches = 0;
    for (const match of text.matchAll(this.pattern)) {
      matches += 1;
      if (matches % MATCHES_PER_STEP === 0) yield;
      const special = this.byContent.get(match[0]);
      if (special === undefined || match.index === undefined) continue;
      if (match.index > start) parts.push({ text: text.slice(start, match.index) });
      parts.push({ text: match[0], special });
      start = match.index + match[0].length;
    }
    if (start < text.length) parts.push({ text: text.slice(start) });
    return parts;
  }
}
