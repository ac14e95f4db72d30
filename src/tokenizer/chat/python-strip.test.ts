import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonStrip } from './python-strip.js';

// expected values are Python 3's own results for these calls
describe('pythonStrip (Python str.strip/lstrip/rstrip)', () => {
  it('strips only the given characters', () => {
    assert.equal(pythonStrip('\n\n Done.\n', 'lstrip', '\n'), ' Done.\n');
    assert.equal(pythonStrip('xxhixyx', 'strip', 'xy'), 'hi');
    assert.equal(pythonStrip('ab\n\n', 'rstrip', '\n'), 'ab');
  });

  it('without characters strips Python whitespace, not JavaScript whitespace', () => {
    assert.equal(pythonStrip('\x1c\x85 a \u3000', 'strip'), 'a');
    assert.equal(pythonStrip('\ufeffa', 'strip'), '\ufeffa');
    assert.equal(pythonStrip('  a  ', 'lstrip', null), 'a  ');
  });
});
