import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeValue } from './describe-value.js';

test('describes values briefly', () => {
  assert.equal(describeValue(undefined), 'nothing');
  assert.equal(describeValue([1, 2]), 'an array of 2');
  assert.equal(describeValue({}), 'an object');
  assert.equal(describeValue('abc'), '"abc"');
});

test('a 10 MB string is cut before it is serialised', () => {
  const text = describeValue(`"${'\\'.repeat(10_000_000)}`);
  assert.ok(text.length <= 44, text);
  assert.ok(text.startsWith('"\\"\\\\'), text);
});
