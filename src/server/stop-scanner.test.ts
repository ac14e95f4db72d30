import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StopScanner, cutAtStop } from './stop-scanner.js';

describe('StopScanner', () => {
  it('holds back a possible stop prefix and cuts at the stop string', () => {
    const scanner = new StopScanner(['\n\n', 'END']);
    assert.equal(scanner.push('Hello'), 'Hello');
    assert.equal(scanner.push(' wor'), ' wor');
    assert.equal(scanner.push('ld\n'), 'ld');
    assert.equal(scanner.push('\nmore'), '');
    assert.equal(scanner.hasStopped, true);
    assert.equal(scanner.push('ignored'), '');
    assert.equal(scanner.flush(), '');
  });

  it('releases a held tail that did not become a stop string', () => {
    const scanner = new StopScanner(['END']);
    assert.equal(scanner.push('the EN'), 'the ');
    assert.equal(scanner.push('D'), '');
    const other = new StopScanner(['END']);
    assert.equal(other.push('the EN'), 'the ');
    assert.equal(other.push('d'), 'ENd');
    assert.equal(other.push('E'), '');
    assert.equal(other.flush(), 'E');
  });

  it('cutAtStop keeps the text before the earliest stop', () => {
    assert.equal(cutAtStop('a, b. c', ['.', ',']), 'a');
    assert.equal(cutAtStop('abc', ['x']), 'abc');
  });
});
