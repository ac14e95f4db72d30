import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../config/index.js';
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
