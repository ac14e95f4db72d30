import assert from 'node:assert/strict';
import { it } from 'node:test';
import { jsonDepthOverflow } from './json-depth.js';

it('counts array and object nesting outside strings, escapes included', () => {
  assert.equal(jsonDepthOverflow('{"a": [1, {"b": []}]}', 4), undefined);
  assert.equal(jsonDepthOverflow('{"a": [1, {"b": [[]]}]}', 4), 17);
  assert.equal(jsonDepthOverflow(`{"text": "${'['.repeat(500)}\\" ${'{'.repeat(500)}"}`, 2), undefined);
  assert.equal(jsonDepthOverflow('[[[', 2), 2);
  assert.equal(jsonDepthOverflow(`${'['.repeat(64)}${']'.repeat(64)}`), undefined);
  assert.equal(jsonDepthOverflow(`${'['.repeat(65)}${']'.repeat(65)}`), 64);
});
