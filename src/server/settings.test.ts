import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError, SETTINGS } from '../config/index.js';
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

describe('server options and the settings table', () => {
  it('the defaults are the table defaults', () => {
    const pairs: [keyof typeof DEFAULT_SERVER_OPTIONS, string][] = [
      ['host', 'HOST'],
      ['port', 'PORT'],
      ['bodyLimitBytes', 'MAX_BODY_BYTES'],
      ['maxInstances', 'MAX_INSTANCES'],
      ['maxInputTokens', 'MAX_INPUT_TOKENS'],
      ['inputTruncation', 'INPUT_TRUNCATION'],
      ['maxNewTokensCap', 'MAX_NEW_TOKENS_CAP'],
      ['maxConcurrentRequests', 'MAX_CONCURRENT_REQUESTS'],
      ['requestTimeoutMs', 'REQUEST_TIMEOUT_MS'],
      ['bodyTimeoutMs', 'BODY_TIMEOUT_MS'],
      ['headersTimeoutMs', 'HEADERS_TIMEOUT_MS'],
      ['maxConnections', 'MAX_CONNECTIONS'],
      ['drainTimeoutMs', 'DRAIN_TIMEOUT_MS'],
      ['openAiAnyModel', 'OPENAI_ANY_MODEL'],
    ];
    for (const [field, key] of pairs) {
      const row = SETTINGS.find((setting) => setting.key === key);
      assert.equal(DEFAULT_SERVER_OPTIONS[field], row?.parser.schema.parse(row.defaultValue), field);
    }
  });

  it('the ranges are the table ranges (they were wider here before)', () => {
    for (const [field, value] of [
      ['maxInstances', 4097],
      ['maxInputTokens', 65537],
      ['maxNewTokensCap', 65537],
      ['requestTimeoutMs', 99],
      ['requestTimeoutMs', 3_600_001],
    ] as const) {
      assert.throws(
        () => resolveServerOptions({ [field]: value }),
        (error: unknown) => LlmDeployError.isInstance(error) && error.field === field,
        `${field}=${value}`,
      );
    }
    assert.equal(resolveServerOptions({ maxInstances: 4096, requestTimeoutMs: 100 }).maxInstances, 4096);
  });
});
