import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError, SETTINGS } from '../config/index.js';
import { DEFAULT_ENGINE_SETTINGS, resolveEngineSettings } from './settings.js';

test('resolveEngineSettings fills defaults and keeps given values', () => {
  const settings = resolveEngineSettings({ maxBatchSize: 8 });
  assert.equal(settings.maxBatchSize, 8);
  assert.equal(settings.maxQueue, DEFAULT_ENGINE_SETTINGS.maxQueue);
  assert.equal(settings.quantize, 'none');
  assert.ok(Object.isFrozen(settings));
});

test('resolveEngineSettings names the bad field', () => {
  assert.throws(
    () => resolveEngineSettings({ maxBatchSize: 0 }),
    (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_SETTINGS_INVALID' && error.field === 'maxBatchSize',
  );
});

test('engine settings take their defaults and ranges from the settings table (they were wider here before)', () => {
  const pairs: [keyof typeof DEFAULT_ENGINE_SETTINGS, string][] = [
    ['maxBatchSize', 'MAX_BATCH_SIZE'],
    ['maxQueue', 'MAX_QUEUE'],
    ['threads', 'ENGINE_THREADS'],
    ['quantize', 'QUANTIZE'],
    ['maxInputTokens', 'MAX_INPUT_TOKENS'],
    ['maxNewTokensLimit', 'MAX_NEW_TOKENS_CAP'],
  ];
  for (const [field, key] of pairs) {
    const row = SETTINGS.find((setting) => setting.key === key);
    assert.equal(DEFAULT_ENGINE_SETTINGS[field], row?.parser.schema.parse(row.defaultValue), field);
  }
  for (const [field, value] of [
    ['maxBatchSize', 1025],
    ['maxQueue', 0],
    ['threads', 257],
    ['maxInputTokens', 65537],
  ] as const) {
    assert.throws(
      () => resolveEngineSettings({ [field]: value }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.field === field,
      `${field}=${value}`,
    );
  }
});
