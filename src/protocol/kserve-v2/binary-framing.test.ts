import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinBody, splitBody } from './binary-framing.js';

test('JSON and chunks join and split back', () => {
  const joined = joinBody({ a: 1 }, [Uint8Array.of(1, 2), Uint8Array.of(3)]);
  assert.equal(joined.headerLength, 7);
  const split = splitBody(joined.body, String(joined.headerLength), 'request');
  assert.equal(Buffer.from(split.json).toString(), '{"a":1}');
  assert.deepEqual([...split.binary], [1, 2, 3]);
  assert.equal(joinBody({ a: 1 }, []).headerLength, null);
  assert.equal(splitBody(joined.body, '0', 'request').raw, true);
});
