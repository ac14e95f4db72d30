// T5's token conventions: <pad>, </s>, <unk> are SentencePiece pieces; <extra_id_N> follow the pieces,
// counting down (<extra_id_0> is the last id), and eat the spaces around them.
import { modelInvalid } from './errors.js';
import type { SpecialToken } from './special-tokens.js';

/** T5's special tokens and where they sit. */
export interface T5Specials {
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly unkTokenId: number;
  readonly specialTokens: readonly SpecialToken[];
}

/** `<extra_id_N>`. */
export function extraIdToken(index: number): string {
  return `<extra_id_${index}>`;
}

/** Token texts of ids pieceCount..pieceCount+extraIds-1: `<extra_id_{extraIds-1}>` first, `<extra_id_0>` last. */
export function extraIdTokens(extraIds: number): string[] {
  return Array.from({ length: extraIds }, (_, offset) => extraIdToken(extraIds - 1 - offset));
}

/** Finds T5's special tokens in a token table (pieces followed by the extra ids). */
export function t5Specials(tokens: readonly string[], pieceCount: number, file: string): T5Specials {
  const idOf = (content: string): number => {
    const id = tokens.indexOf(content);
    if (id < 0 || id >= pieceCount) throw modelInvalid(file, `the vocabulary has no ${content} piece`, { expected: 'a T5 vocabulary' });
    return id;
  };
  const padTokenId = idOf('<pad>');
  const eosTokenId = idOf('</s>');
  const unkTokenId = idOf('<unk>');
  const specialTokens: SpecialToken[] = [
    { content: '<pad>', id: padTokenId, stripsSpaces: false },
    { content: '</s>', id: eosTokenId, stripsSpaces: false },
    { content: '<unk>', id: unkTokenId, stripsSpaces: false },
  ];
  for (let id = pieceCount; id < tokens.length; id += 1) {
    specialTokens.push({ content: tokens[id] ?? '', id, stripsSpaces: true });
  }
  return { padTokenId, eosTokenId, unkTokenId, specialTokens };
}
