import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from './settings.js';

describe('server options', () => {
  it('fills defaults as Vertex expects them', () => {
    assert.equal(DEFAULT_SERVER_OPTIONS.port, 5000);
    assert.equal(DEFAULT_SERVER_OPTIONS.host, '0.0.0.0');
    assert.equal(DEFAULT_SERVER_OPTIONS.bodyLimitBytes, 1_572_864);
    assert.equal(DEFAULT_SERVER_OPTIONS.inputTruncation, 'reject');
    assert.equal(resolveServerOptions({ port: 8080 }).port, 8080);
  });

  it('names the bad field and never echoes the API key', () => {
    assert.throws(
      () => resolveServerOptions({ port: 70000 }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.field === 'port' && error.code === 'SERVER_OPTIONS_INVALID',
    );
    assert.throws(
      () => resolveServerOptions({ predictRoute: 'infer' }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.field === 'predictRoute',
    );
    assert.throws(
      () => resolveServerOptions({ apiKey: '' }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.given === '(hidden)',
    );
  });

  it('refuses a headers timeout longer than the body timeout (Node would throw at start-up)', () => {
    assert.throws(
      () => resolveServerOptions({ bodyTimeoutMs: 1000, headersTimeoutMs: 2000 }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.field === 'headersTimeoutMs',
    );
    assert.equal(resolveServerOptions({ bodyTimeoutMs: 1000, headersTimeoutMs: 1000 }).headersTimeoutMs, 1000);
  });
});
