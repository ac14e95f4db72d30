import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonLstrip, pythonRstrip, pythonStrip } from './python-text.js';

describe('Python str.strip family', () => {
  it('strips what Python calls whitespace, which is not what JavaScript trims', () => {
    assert.equal(pythonStrip('\x1c\x85 a b\u3000\t'), 'a b');
    assert.equal(pythonStrip('\ufeffa\ufeff'), '\ufeffa\ufeff');
    assert.equal(pythonLstrip('  a  '), 'a  ');
    assert.equal(pythonRstrip('  a  '), '  a');
    assert.equal(pythonStrip('\u2581a\u2581'), '\u2581a\u2581');
  });
});

describe('Python str.rstrip on a long run of spaces that does not end the text', () => {
  it('takes time linear in its length (a trailing-space regex backtracks quadratically)', () => {
    const text = `${' '.repeat(100_000)}x`;
    const started = performance.now();
    assert.equal(pythonRstrip(text), text);
    assert.equal(pythonStrip(text), 'x');
    // Linear: about a millisecond. The backtracking regex took 5 s for 40k spaces.
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs < 1000, `${elapsedMs.toFixed(0)} ms`);
  });
});

describe('Python whitespace, character by character', () => {
  it('is exactly the characters Python 3 str.isspace() accepts in the BMP', () => {
    // Python: ''.join(chr(c) for c in range(0x10000) if chr(c).isspace())
    const python =
      '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
    const ours = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code)).filter((char) => pythonStrip(`${char}a`) === 'a');
    assert.equal(ours.join(''), python);
  });
});
