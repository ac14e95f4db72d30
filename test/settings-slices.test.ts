// The server's and the engine's option schemas against the settings table: same defaults, same ranges
// (the schemas had wider ranges of their own before; the table won).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError, SETTINGS } from '../src/config/index.js';
import { DEFAULT_ENGINE_SETTINGS, resolveEngineSettings } from '../src/engine/index.js';
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from '../src/server/index.js';

function tableDefault(key: string): unknown {
  const row = SETTINGS.find((setting) => setting.key === key);
  assert.ok(row?.defaultValue !== undefined, `${key} has no default`);
  return row.parser.schema.parse(row.defaultValue);
}

const SERVER_FIELDS = {
  host: 'HOST',
  port: 'PORT',
  bodyLimitBytes: 'MAX_BODY_BYTES',
  maxInstances: 'MAX_INSTANCES',
  maxInputTokens: 'MAX_INPUT_TOKENS',
  inputTruncation: 'INPUT_TRUNCATION',
  maxNewTokensCap: 'MAX_NEW_TOKENS_CAP',
  maxConcurrentRequests: 'MAX_CONCURRENT_REQUESTS',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  bodyTimeoutMs: 'BODY_TIMEOUT_MS',
  headersTimeoutMs: 'HEADERS_TIMEOUT_MS',
  maxConnections: 'MAX_CONNECTIONS',
  drainTimeoutMs: 'DRAIN_TIMEOUT_MS',
  openAiAnyModel: 'OPENAI_ANY_MODEL',
} as const;

const ENGINE_FIELDS = {
  maxBatchSize: 'MAX_BATCH_SIZE',
  maxQueue: 'MAX_QUEUE',
  threads: 'ENGINE_THREADS',
  quantize: 'QUANTIZE',
  maxInputTokens: 'MAX_INPUT_TOKENS',
  maxNewTokensLimit: 'MAX_NEW_TOKENS_CAP',
} as const;

/** Values just outside the table's ranges, each accepted by the old schemas. */
const OUTSIDE = {
  server: [
    ['maxInstances', 4097],
    ['maxInputTokens', 65537],
    ['maxNewTokensCap', 65537],
    ['requestTimeoutMs', 99],
    ['requestTimeoutMs', 3_600_001],
  ],
  engine: [
    ['maxBatchSize', 1025],
    ['maxQueue', 0],
    ['threads', 257],
    ['maxInputTokens', 65537],
  ],
} as const;

const refused = (field: string) => (error: unknown) => LlmDeployError.isInstance(error) && error.field === field;

describe('option schemas of server and engine follow the settings table', () => {
  it('their defaults are the table defaults', () => {
    for (const [field, key] of Object.entries(SERVER_FIELDS)) {
      assert.equal(DEFAULT_SERVER_OPTIONS[field as keyof typeof SERVER_FIELDS], tableDefault(key), `server ${field}`);
    }
    for (const [field, key] of Object.entries(ENGINE_FIELDS)) {
      assert.equal(DEFAULT_ENGINE_SETTINGS[field as keyof typeof ENGINE_FIELDS], tableDefault(key), `engine ${field}`);
    }
  });

  it('their ranges are the table ranges', () => {
    for (const [field, value] of OUTSIDE.server) assert.throws(() => resolveServerOptions({ [field]: value }), refused(field));
    for (const [field, value] of OUTSIDE.engine) assert.throws(() => resolveEngineSettings({ [field]: value }), refused(field));
    assert.equal(resolveServerOptions({ maxInstances: 4096, requestTimeoutMs: 100 }).maxInstances, 4096);
    assert.equal(resolveEngineSettings({ maxQueue: 1, threads: 256 }).threads, 256);
  });
});
