import { Option, type Command } from 'commander';
import {
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

/** Adds the optional `--env-file <file>` of the deployment commands. */
export function addEnvFileOption(command: Command): Command {
  return command.option(
    '--env-file <file>',
    'env file: Docker-style KEY=VALUE lines, or a flat YAML mapping (.yml/.yaml); it wins over the process environment. ' +
      'Without it the settings come from the environment alone (as `docker run --env-file F IMAGE ...` passes them)',
  );
}

/**
 * Loads the deployment spec (`--env-file` when given) over the environment, prints warnings to stderr,
 * and throws (exit 2) listing every problem at once.
 */
export async function loadDeploymentSpec(
  envFile: string | undefined,
  context: CommandContext,
  flags: SettingFlags = {},
): Promise<LoadedSettings<DeploymentSettings>> {
  // `docker run --env-file F IMAGE deploy` hands F to the process as its environment: no path is needed then
  const loaded =
    envFile === undefined
      ? loadSettings({ mode: 'deployment', env: context.env, flags })
      : await loadSettingsFile(envFile, { mode: 'deployment', env: context.env, flags });
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

/** Writes the loader's notes and warnings to stderr, one a line (`note: ...` as it is, others after `warning: `). */
export function printWarnings(warnings: readonly string[], context: CommandContext): void {
  for (const warning of warnings) context.stderr.write(warning.startsWith('note:') ? `${warning}\n` : `warning: ${warning}\n`);
}
