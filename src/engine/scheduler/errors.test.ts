import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelled, closed, queueFull, tooManyRows } from './errors.js';

test('scheduler errors carry stable codes and statuses', () => {
  assert.deepEqual([queueFull(8).code, queueFull(8).httpStatus], ['ENGINE_QUEUE_FULL', 503]);
  assert.deepEqual([cancelled().code, cancelled().httpStatus], ['ENGINE_CANCELLED', 499]);
  assert.deepEqual([closed().code, closed().httpStatus], ['ENGINE_CLOSED', 503]);
  assert.deepEqual([tooManyRows(8, 4).code, tooManyRows(8, 4).httpStatus], ['ENGINE_PARAMS_INVALID', 400]);
});
