import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputInvalid, optionsInvalid, paramsInvalid } from './errors.js';

test('request errors are 400s naming the field; options errors are ours (500)', () => {
  const params = paramsInvalid('topP', 2, 'a number in (0, 1]');
  assert.deepEqual([params.code, params.httpStatus, params.field, params.given], ['ENGINE_PARAMS_INVALID', 400, 'topP', '2']);
  const input = inputInvalid('0 tokens', '1 to 512 tokens');
  assert.deepEqual([input.code, input.httpStatus, input.field], ['ENGINE_INPUT_INVALID', 400, 'inputIds']);
  assert.equal(optionsInvalid('modelDir', 'a path').httpStatus, 500);
});
