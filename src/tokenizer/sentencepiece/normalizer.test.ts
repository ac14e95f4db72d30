import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixtureDir, tokenizationCases } from '../fixture-cases.test.js';
import { SentencePieceNormalizer } from './normalizer.js';
import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import { parseSpieceModel } from './spiece-model.js';

describe('SentencePieceNormalizer (nmt_nfkc charsmap + whitespace rules)', () => {
  const file = join(fixtureDir('t5-tiny-relu'), 'spiece.model');
  const model = parseSpieceModel(readFileSync(file), file);
  const normalizer = new SentencePieceNormalizer(model.normalizer, PrecompiledCharsmap.parse(model.normalizer.precompiledCharsmap, file));
  const normalize = (text: string): string => new TextDecoder().decode(normalizer.normalize(new TextEncoder().encode(text)));

  it('gives the text HF tokenized: its pieces joined (cases without special or unknown tokens)', () => {
    let checked = 0;
    for (const c of tokenizationCases('t5-tiny-relu')) {
      const pieces = c.tokens.slice(0, -1);
      if (pieces.some((piece) => piece.startsWith('<')) || /[<>]/u.test(c.text)) continue;
      assert.equal(normalize(c.text), pieces.join(''), JSON.stringify(c.text));
      checked += 1;
    }
    assert.ok(checked >= 25, `only ${checked} cases checked`);
  });

  it('maps bad UTF-8 bytes to U+FFFD one byte at a time, and leaves no text for spaces only', () => {
    assert.equal(new TextDecoder().decode(normalizer.normalize(Uint8Array.of(0x61, 0xff, 0x62))), '\u2581a\ufffdb');
    assert.equal(normalize(' \t\n '), '');
  });
});
