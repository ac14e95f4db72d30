import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { fixtureDir } from '../fixture-cases.test.js';
import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import { parseSpieceModel } from './spiece-model.js';

describe('PrecompiledCharsmap', () => {
  const file = join(fixtureDir('t5-tiny-relu'), 'spiece.model');
  const charsmap = PrecompiledCharsmap.parse(parseSpieceModel(readFileSync(file), file).normalizer.precompiledCharsmap, file);
  const rewrite = (text: string): string | undefined => {
    const bytes = new TextEncoder().encode(text);
    const match = charsmap?.longestMatch(bytes, 0, bytes.length);
    if (match === undefined || charsmap === undefined) return undefined;
    return `${new TextDecoder().decode(charsmap.replacements.subarray(match.replacementStart, match.replacementEnd))}/${match.length}`;
  };

  it('rewrites what nmt_nfkc rewrites (as the HF pieces of the fixtures show) and leaves plain ASCII alone', () => {
    assert.equal(rewrite('\ufb01x'), 'fi/3'); // "ﬁ ligature" -> "▁f", "i"
    assert.equal(rewrite('\uff26'), 'F/3'); // "Ｆｕｌｌ" -> "▁F", ...
    assert.equal(rewrite('\t'), ' /1'); // "tab\tseparated" -> "▁t", "a", "b", "▁separate"
    assert.equal(rewrite('a'), undefined);
    assert.equal(charsmap?.startsRule(0x30), false);
    assert.equal(charsmap?.startsRule(0x09), true);
    assert.equal(rewrite('a\u0301'), '\u00e1/3'); // a + combining acute composes (NFKC)
    assert.equal(charsmap?.continuesWithAscii(0x61), false);
  });
  it('treats an empty blob as no rules and rejects a malformed one', () => {
    assert.equal(PrecompiledCharsmap.parse(new Uint8Array(0), file), undefined);
    assert.throws(
      () => PrecompiledCharsmap.parse(Uint8Array.from([0xff, 0, 0, 0, 1]), file),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_MODEL_INVALID',
    );
  });
});
