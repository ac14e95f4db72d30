// Loads env-file text as the deployment commands do, for tests of the settings rules.
import assert from 'node:assert/strict';
import { ConfigInvalidError } from '../config-error.js';
import { parseEnvFile } from '../env-file.js';
import { loadSettings, type LoadedSettings } from '../load.js';

/** The smallest valid deployment spec. */
export const GOOD = 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base\n';

/** Loads `text` as the env file `spec.env` of a deployment command, with `env` as the process environment. */
export function loadDeploymentText(text: string, env: Record<string, string> = {}): LoadedSettings {
  return loadSettings({ mode: 'deployment', env, envFile: parseEnvFile(text, { file: 'spec.env', env }) });
}

/** The ConfigInvalidError loading `text` raises; fails the test when it loads. */
export function problemsOf(text: string, env: Record<string, string> = {}): ConfigInvalidError {
  try {
    loadDeploymentText(text, env);
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error;
    throw error;
  }
  assert.fail(`expected the settings to be rejected:\n${text}`);
}
