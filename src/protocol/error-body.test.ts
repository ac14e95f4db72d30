import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { errorBody, errorResponse, statusFor } from './error-body.js';

const invalid = new LlmDeployError('bad temperature', {
  code: 'PROTOCOL_PARAMETER_INVALID',
  httpStatus: 400,
  field: 'temperature',
  given: '0',
  expected: '> 0',
});
const busy = new LlmDeployError('the engine queue is full', { code: 'ENGINE_QUEUE_FULL', httpStatus: 503 });
const down = new LlmDeployError('Triton is down', { code: 'ENGINE_UPSTREAM_UNAVAILABLE', httpStatus: 503 });

test('ours, Vertex and KServe: {"error": message} with the error status', () => {
  for (const family of ['own', 'vertex', 'kserve'] as const) {
    assert.deepEqual(errorResponse(family, invalid), {
      status: 400,
      body: { error: 'temperature: bad temperature (given 0; expected > 0)' },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }
});

test('OpenAI: {"error": {message, type, param, code}}', () => {
  assert.deepEqual(errorBody('openai', invalid), {
    error: {
      message: 'temperature: bad temperature (given 0; expected > 0)',
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'protocol_parameter_invalid',
    },
  });
  assert.equal((errorBody('openai', down) as { error: { type: string } }).error.type, 'server_error');
});

test('TGI: caller mistakes are 422 validation; generation failures keep their 5xx', () => {
  assert.deepEqual(errorResponse('tgi', invalid).status, 422);
  assert.deepEqual(errorBody('tgi', invalid), { error: 'temperature: bad temperature (given 0; expected > 0)', error_type: 'validation' });
  assert.deepEqual(errorBody('tgi', down), { error: 'Triton is down', error_type: 'unhealthy' });
});

test('over capacity: 429 + Retry-After on TGI/OpenAI, 503 + Retry-After on Vertex/KServe', () => {
  for (const family of ['tgi', 'openai'] as const) {
    const response = errorResponse(family, busy, { retryAfterSeconds: 2 });
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '2');
  }
  assert.deepEqual(errorBody('tgi', busy), { error: 'the engine queue is full', error_type: 'overloaded' });
  assert.equal((errorBody('openai', busy) as { error: { type: string } }).error.type, 'rate_limit_error');
  for (const family of ['vertex', 'kserve'] as const) {
    const response = errorResponse(family, busy);
    assert.equal(response.status, 503);
    assert.equal(response.headers['retry-after'], '1');
  }
});

test('unknown errors are a 500 with a generic message that leaks nothing', () => {
  const secret = new Error('ECONNREFUSED 10.0.0.7:5432 password=hunter2');
  assert.equal(statusFor('vertex', secret), 500);
  assert.deepEqual(errorBody('vertex', secret), { error: 'internal error; see the server log' });
  assert.deepEqual(errorBody('openai', secret), {
    error: { message: 'internal error; see the server log', type: 'server_error', param: null, code: null },
  });
});

test('every family caps the message and param, whatever an error carries', () => {
  const huge = new LlmDeployError('unknown field', {
    code: 'SERVER_FIELD_INVALID',
    httpStatus: 400,
    field: `body.${'k'.repeat(1_000_000)}`,
  });
  for (const family of ['own', 'vertex', 'kserve', 'tgi', 'openai'] as const) {
    const text = JSON.stringify(errorBody(family, huge));
    assert.ok(text.length < 2500, `${family}: ${text.length} characters`);
    assert.match(text, /unknown field/);
  }
});
