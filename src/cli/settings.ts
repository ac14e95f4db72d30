import { Option, type Command } from 'commander';
import {
  LlmDeployError,
  loadSettings,
  loadSettingsFile,
  SETTINGS,
  type DeploymentSettings,
  type LoadedSettings,
  type SettingDefinition,
  type SettingReader,
} from '../config/index.js';
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
): Promise<LoadedSettings<DeploymentSettings>> {
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

/** Rows with a flag, read by the command. */
function flaggedRows(reader: SettingReader): (SettingDefinition & { readonly flag: string })[] {
  return SETTINGS.filter(
    (setting): setting is SettingDefinition & { readonly flag: string } => setting.flag !== undefined && setting.readers.includes(reader),
  );
}

/** A flag's help: the row's own flag help, else its description with the env name and the default. */
function flagHelp(setting: SettingDefinition): string {
  if (setting.flagHelp !== undefined) return setting.flagHelp;
  return `${setting.description} (${setting.key}${setting.defaultValue === undefined ? '' : `; default ${setting.defaultValue}`})`;
}

/** Adds one commander option per settings row with a flag that `reader` reads (choices from the row's parser). */
export function addSettingOptions(command: Command, reader: SettingReader): Command {
  for (const setting of flaggedRows(reader)) {
    const option = new Option(setting.flag, flagHelp(setting));
    command.addOption(setting.parser.choices === undefined ? option : option.choices(setting.parser.choices));
  }
  return command;
}

/** The flags record `loadSettings` takes, from commander's option values (absent flags are skipped). */
export function settingFlagsFromOptions(values: Readonly<Record<string, unknown>>, reader: SettingReader): SettingFlags {
  const flags: SettingFlags = {};
  for (const setting of flaggedRows(reader)) {
    const option = new Option(setting.flag);
    const value = values[option.attributeName()];
    if (typeof value === 'string') flags[setting.key] = { value, flag: option.long ?? setting.flag };
  }
  return flags;
}

function printWarnings(warnings: readonly string[], context: CommandContext): void {
  for (const warning of warnings) context.stderr.write(warning.startsWith('note:') ? `${warning}\n` : `warning: ${warning}\n`);
}
