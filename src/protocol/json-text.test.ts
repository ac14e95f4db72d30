import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { findPrototypeKey, parseJsonText } from './json-text.js';
import { renderValue } from './zod-error.js';

function refusal(text: string): LlmDeployError {
  try {
    parseJsonText(text, 'request');
  } catch (error) {
    if (LlmDeployError.isInstance(error)) return error;
    throw error;
  }
  assert.fail(`accepted: ${text}`);
}

test('a "__proto__" key, escaped or nested in an array, is refused with its path', () => {
  const escaped = refusal('{"a":[{"b":1},{"\\u005f_proto__":{"x":1}}]}');
  assert.equal(escaped.httpStatus, 400);
  assert.equal(escaped.field, 'a[1].__proto__');
  assert.match(escaped.message, /key "__proto__" is not allowed/);
  const constructor = refusal('{"constructor":{"prototype":{"x":1}}}');
  assert.equal(constructor.field, 'constructor.prototype');
});

test('ordinary keys that look alike pass, and malformed JSON says so', () => {
  assert.deepEqual(parseJsonText('{"constructor":{"name":"x"},"proto":1}', 'request'), { constructor: { name: 'x' }, proto: 1 });
  assert.equal(findPrototypeKey([1, 'a', null]), undefined);
  assert.match(refusal('{"a":').message, /not valid JSON/);
});

test('numbers JSON cannot hold are rendered as what they are', () => {
  assert.equal(renderValue(Number.parseFloat('1e999')), 'Infinity');
  assert.equal(renderValue([Number.NEGATIVE_INFINITY, Number.NaN, -0, 1]), '[-Infinity,NaN,-0,1]');
  assert.equal(renderValue({ t: Number.POSITIVE_INFINITY }), '{"t":Infinity}');
});
