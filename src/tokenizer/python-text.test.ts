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
