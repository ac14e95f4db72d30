// A deterministic tokenizer for server tests: one id per character (code point + 3), T5's specials
// (pad 0, </s> 1, <unk> 2), `</s>` appended on encode unless special tokens are left out.
import type { TextTokenizer } from '../../../src/server/index.js';

const SPECIAL_TEXT = ['<pad>', '</s>', '<unk>'];

/** Creates the character tokenizer. */
export function charTokenizer(): TextTokenizer {
  return {
    eosTokenId: 1,
    padTokenId: 0,
    encode: (text, options) => {
      const ids = [...text].map((char) => (char.codePointAt(0) ?? 0) + 3);
      return options?.addSpecialTokens === false ? ids : [...ids, 1];
    },
    decode: (ids, options) =>
      ids
        .map((id) => (id < 3 ? (options?.skipSpecialTokens === true ? '' : (SPECIAL_TEXT[id] ?? '')) : String.fromCodePoint(id - 3)))
        .join(''),
    isSpecial: (id) => id < 3,
  };
}
