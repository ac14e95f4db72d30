import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePythonJson, pythonFloat, pythonRepr, pythonStr } from './python-literal.js';

describe('python-literal', () => {
  it('formats floats as Python repr does', () => {
    const cases: Array<[number, string]> = [
      [1e-6, '1e-06'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [0.1, '0.1'],
      [2, '2.0'],
      [0, '0.0'],
      [-1.5, '-1.5'],
      [1e16, '1e+16'],
      [123456789012345680, '1.2345678901234568e+17'],
      [1234567890123456.8, '1234567890123456.8'],
    ];
    for (const [value, text] of cases) assert.equal(pythonFloat(value), text, String(value));
  });

  it('keeps JSON ints and floats apart and renders nested values with repr', () => {
    const value = parsePythonJson('{"a": 2.0, "b": 2, "c": [1, "x\'y", null, true], "d": {"e": 1e-06}}');
    assert.equal(pythonStr(value), `{'a': 2.0, 'b': 2, 'c': [1, 'x\\'y', None, True], 'd': {'e': 1e-06}}`);
    assert.equal(pythonStr(parsePythonJson('"plain"')), 'plain');
    assert.equal(pythonRepr(parsePythonJson('"plain"')), "'plain'");
  });

  it('is not fooled by digits inside strings', () => {
    assert.equal(pythonStr(parsePythonJson('{"name": "t5-3.0b", "x": 3}')), "{'name': 't5-3.0b', 'x': 3}");
  });
});
