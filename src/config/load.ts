import { readFile } from 'node:fs/promises';
import { closestKey } from './closest-key.js';
import { ConfigInvalidError, type SettingProblem } from './config-error.js';
import { envFileUnreadable, parseEnvFile, type ParsedEnvFile } from './env-file.js';
import {
  deploymentSettings,
  deriveSettings,
  runtimeSettings,
  valueReader,
  type DeploymentSettings,
  type RuntimeSettings,
} from './settings.js';
import { SETTINGS, SETTINGS_BY_KEY } from './settings-table.js';
import { isYamlEnvFile, parseYamlEnvFile } from './yaml-env-file.js';

/**
 * Older names still accepted, with a note, by the setting they stand for: the seed-time sample spells GPU_COUNT_PER_MODEL
 * GPU_NUMBER; BACKEND was serve's own name for what runs the model before it became the one SERVING_BACKEND.
 */
const ALIASES: Readonly<Record<string, string>> = { GPU_NUMBER: 'GPU_COUNT_PER_MODEL', BACKEND: 'SERVING_BACKEND' };

/** Where a setting's value came from. */
export type SettingSource =
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'file'; readonly file: string; readonly line: number }
  | { readonly kind: 'environment' }
  | { readonly kind: 'default' }
  | { readonly kind: 'derived'; readonly rule: string };

/** One resolved setting: its typed value, the raw text and its source. */
export interface ResolvedSetting {
  readonly key: string;
  readonly value: unknown;
  readonly raw: string;
  readonly source: SettingSource;
}

/** The result of loading settings: the frozen object of its mode, where each value came from, warnings and notes. */
export interface LoadedSettings<S extends RuntimeSettings = RuntimeSettings> {
  readonly settings: S;
  readonly sources: ReadonlyMap<string, ResolvedSetting>;
  /** Things that are probably mistakes but do not stop the command (unknown keys, duplicates). */
  readonly warnings: readonly string[];
}

/** Options for {@link loadSettings}. */
export interface LoadSettingsOptions {
  /** `deployment`: the env file is the deployment spec and its required keys apply; `runtime`: serve/tokenize/convert. */
  readonly mode: 'deployment' | 'runtime';
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A parsed env file; it wins over `env`. */
  readonly envFile?: ParsedEnvFile;
  /** Values from command-line flags, by setting key; they win over everything. */
  readonly flags?: Readonly<Record<string, { readonly value: string; readonly flag: string } | undefined>>;
}

/**
 * Reads and parses an env file (a flat YAML mapping when named `.yml`/`.yaml`, else Docker syntax), then loads settings from it over the environment.
 * @example const { settings } = await loadSettingsFile('prod.env', { mode: 'deployment', env: process.env });
 */
export async function loadSettingsFile(
  path: string,
  options: Omit<LoadSettingsOptions, 'envFile'> & { readonly mode: 'deployment' },
): Promise<LoadedSettings<DeploymentSettings>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw envFileUnreadable(path, cause);
  }
  const envFile = isYamlEnvFile(path) ? parseYamlEnvFile(text, { file: path }) : parseEnvFile(text, { file: path, env: options.env });
  return loadSettings({ ...options, envFile });
}

/** Validates every setting at once; throws ConfigInvalidError listing all problems. */
export function loadSettings(options: LoadSettingsOptions & { readonly mode: 'deployment' }): LoadedSettings<DeploymentSettings>;
export function loadSettings(options: LoadSettingsOptions): LoadedSettings;
export function loadSettings(options: LoadSettingsOptions): LoadedSettings {
  const problems: SettingProblem[] = [];
  const warnings: string[] = [];
  const file = options.envFile;
  for (const problem of file?.problems ?? []) {
    const text = `${file?.file}:${problem.line}: ${problem.key || '(empty key)'}: ${problem.message} (given ${problem.given}; expected ${problem.expected})`;
    if (problem.severity === 'warning') warnings.push(text);
    else
      problems.push({
        key: problem.key || '(empty key)',
        file: file?.file ?? '',
        line: problem.line,
        given: problem.given,
        expected: problem.expected,
        message: problem.message,
      });
  }
  readAliases(options, problems, warnings);
  for (const [key, entry] of file?.entries ?? []) {
    if (SETTINGS_BY_KEY.has(key) || key in ALIASES) continue;
    const suggestion = closestKey(key, SETTINGS_BY_KEY.keys());
    warnings.push(
      `${file?.file}:${entry.line}: unknown key ${key}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}; it is ignored`,
    );
  }
  const resolved = new Map<string, ResolvedSetting>();
  for (const definition of SETTINGS) {
    const given = rawValue(definition.key, options);
    const raw = given?.raw ?? definition.defaultValue;
    if (raw === undefined) continue;
    const parsed = definition.parser.schema.safeParse(raw);
    if (!parsed.success) {
      const source = given?.source;
      const where =
        source?.kind === 'file' ? { file: source.file, line: source.line } : source?.kind === 'flag' ? { flag: source.flag } : {};
      // the first issue names the rule that was broken; parsers whose only rule is `expected` are not repeated
      const rule = parsed.error.issues[0]?.message;
      const message = rule === undefined || rule === definition.parser.expected ? 'invalid value' : rule;
      problems.push({ key: definition.key, ...where, given: raw, expected: definition.parser.expected, message });
      continue;
    }
    resolved.set(definition.key, { key: definition.key, value: parsed.data, raw, source: given?.source ?? { kind: 'default' } });
  }
  const invalidKeys = new Set(problems.map((problem) => problem.key));
  const derived = deriveSettings(resolved, { mode: options.mode, invalidKeys, fileName: file?.file, fileEntries: file?.entries });
  problems.push(...derived.problems);
  warnings.push(...derived.notes);
  if (problems.length > 0) throw new ConfigInvalidError(problems, warnings);
  const settings = options.mode === 'deployment' ? deploymentSettings(resolved) : runtimeSettings(valueReader(resolved));
  return { settings, sources: resolved, warnings };
}

/** Notes each alias given and refuses one that disagrees with its setting; {@link rawValue} reads the alias. */
function readAliases(options: LoadSettingsOptions, problems: SettingProblem[], warnings: string[]): void {
  for (const [alias, key] of Object.entries(ALIASES)) {
    const given = ownValue(alias, options);
    if (given === undefined) continue;
    const own = ownValue(key, options);
    const where = given.source.kind === 'file' ? { file: given.source.file, line: given.source.line } : {};
    if (own?.source.kind === 'flag') {
      warnings.push(`note: ${alias}=${given.raw} (the older name of ${key}) is ignored: ${own.source.flag} ${own.raw} wins`);
    } else if (own !== undefined && !sameValue(key, own.raw, given.raw)) {
      problems.push({
        key: alias,
        ...where,
        given: `${alias}=${given.raw} and ${key}=${own.raw}`,
        expected: `one of ${alias} (the older name) or ${key}, or both with the same value`,
        message: `${alias} and ${key} disagree`,
      });
    } else warnings.push(`note: ${alias}=${given.raw} is read as ${key} (${alias} is its older name; rename it)`);
  }
}

/** Whether two raw values read as the same value of `key` (`triton` and `fastertransformer` do); unparsable ones must be equal. */
function sameValue(key: string, a: string, b: string): boolean {
  const schema = SETTINGS_BY_KEY.get(key)?.parser.schema;
  const [left, right] = [schema?.safeParse(a), schema?.safeParse(b)];
  return a === b || (left?.success === true && right?.success === true && left.data === right.data);
}

function rawValue(key: string, options: LoadSettingsOptions): { raw: string; source: SettingSource } | undefined {
  const own = ownValue(key, options);
  if (own !== undefined) return own;
  const alias = Object.keys(ALIASES).find((name) => ALIASES[name] === key);
  return alias === undefined ? undefined : ownValue(alias, options);
}

function ownValue(key: string, options: LoadSettingsOptions): { raw: string; source: SettingSource } | undefined {
  const flag = options.flags?.[key];
  if (flag !== undefined) return { raw: flag.value, source: { kind: 'flag', flag: flag.flag } };
  const entry = options.envFile?.entries.get(key);
  // An empty value means "not set" (EXISTING_CLUSTER_ID= asks for a new cluster, as in the original tool).
  if (entry !== undefined && entry.value !== '')
    return { raw: entry.value, source: { kind: 'file', file: options.envFile?.file ?? '', line: entry.line } };
  const fromEnv = options.env[key];
  if (fromEnv !== undefined && fromEnv !== '') return { raw: fromEnv, source: { kind: 'environment' } };
  return undefined;
}
