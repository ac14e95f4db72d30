import { LlmDeployError, loadSettings, loadSettingsFile, type LoadedSettings } from '../config/index.js';
import type { CommandContext } from './context.js';

/** Flag values keyed by setting name, as `loadSettings` takes them. */
export type SettingFlags = Record<string, { readonly value: string; readonly flag: string } | undefined>;

/**
 * Loads the deployment spec (`--env-file`) over the environment, prints warnings to stderr,
 * and throws (exit 2) listing every problem at once.
 */
export async function loadDeploymentSpec(
  envFile: string | undefined,
  context: CommandContext,
  flags: SettingFlags = {},
): Promise<LoadedSettings> {
  if (envFile === undefined) {
    throw new LlmDeployError('this command reads the deployment spec from an env file', {
      code: 'CONFIG_ENV_FILE_REQUIRED',
      httpStatus: 400,
      field: '--env-file',
      expected: 'a Docker-style env file, e.g. --env-file prod.env',
    });
  }
  const loaded = await loadSettingsFile(envFile, { mode: 'deployment', env: context.env, flags });
  printWarnings(loaded.warnings, context);
  return loaded;
}

/** Settings for serve/tokenize/convert: flags, then the environment; no env file needed. */
export function loadRuntimeSettings(context: CommandContext, flags: SettingFlags = {}): LoadedSettings {
  const loaded = loadSettings({ mode: 'runtime', env: context.env, flags });
  printWarnings(loaded.warnings, context);
  return loaded;
}

/** Builds the flags record from commander option values (undefined values are skipped). */
export function settingFlags(
  entries: ReadonlyArray<readonly [key: string, flag: string, value: string | number | undefined]>,
): SettingFlags {
  const flags: SettingFlags = {};
  for (const [key, flag, value] of entries) {
    if (value !== undefined) flags[key] = { value: String(value), flag };
  }
  return flags;
}

function printWarnings(warnings: readonly string[], context: CommandContext): void {
  for (const warning of warnings) context.stderr.write(warning.startsWith('note:') ? `${warning}\n` : `warning: ${warning}\n`);
}
