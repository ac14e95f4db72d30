import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { jsonDepthOverflow } from '../model/index.js';
import { checkJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

test('counts arrays and objects, not brackets inside strings or after escapes', () => {
  assert.equal(jsonDepthOverflow('{"a":[1,{"b":2}]}', 3), undefined);
  assert.equal(jsonDepthOverflow('{"a":[1,{"b":2}]}', 2), 8);
  assert.equal(jsonDepthOverflow('["[[[[", "\\"[[[["]', 1), undefined);
  assert.equal(jsonDepthOverflow('[[],[],[]]', 2), undefined);
  assert.equal(jsonDepthOverflow(Buffer.from('{"é[[":[[1]]}'), 2), 9);
});

test('100,000 levels are refused with a 400 naming the limit', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.throws(
    () => checkJsonDepth(deep, 'request'),
    (error: unknown) =>
      LlmDeployError.isInstance(error) &&
      error.httpStatus === 400 &&
      error.code === 'PROTOCOL_BODY_INVALID' &&
      error.message.includes(`at most ${MAX_JSON_DEPTH} levels`),
  );
  assert.throws(
    () => checkJsonDepth(deep, 'reply'),
    (error: unknown) => LlmDeployError.isInstance(error) && error.httpStatus === 502,
  );
  checkJsonDepth('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH), 'request');
});
