/**
 * zod schemas for options that code passes directly (createServer, loadNativeBackend) and that are also
 * settings: the range and the default come from the setting's table row, so they are written once.
 */
import { z } from 'zod';
import { SETTINGS_BY_KEY, type SettingDefinition } from './settings-table.js';

function row(key: string): SettingDefinition {
  const definition = SETTINGS_BY_KEY.get(key);
  if (definition === undefined) throw new Error(`no setting ${key} in the settings table (assert)`);
  return definition;
}

/** A row's default as its parser reads it; a row without one here is a programming error. */
function parsedDefault(definition: SettingDefinition): unknown {
  if (definition.defaultValue === undefined) throw new Error(`setting ${definition.key} has no default (assert)`);
  return definition.parser.schema.parse(definition.defaultValue);
}

/**
 * An integer option with the row's range and default.
 * @example maxQueue: integerOption('MAX_QUEUE') // 1 to 1000000, default 256
 */
export function integerOption(key: string): z.ZodDefault<z.ZodNumber> {
  const definition = row(key);
  const range = definition.parser.range;
  const fallback = parsedDefault(definition);
  if (range === undefined || typeof fallback !== 'number') throw new Error(`setting ${key} is not an integer (assert)`);
  return z.number().int().min(range.min).max(range.max).default(fallback);
}

/** A word-list option with the row's words and default; `values` is the constant the row's parser was built from. */
export function choiceOption<const T extends readonly [string, ...string[]]>(
  key: string,
  values: T,
): z.ZodDefault<z.ZodEnum<{ [V in T[number]]: V }>> {
  const definition = row(key);
  const fallback = values.find((value) => value === parsedDefault(definition));
  if (fallback === undefined || definition.parser.choices?.join() !== values.join()) {
    throw new Error(`setting ${key} does not accept exactly ${values.join(', ')} (assert)`);
  }
  return z.enum(values).default(fallback);
}

/** A boolean option with the row's default. */
export function booleanOption(key: string): z.ZodDefault<z.ZodBoolean> {
  const fallback = parsedDefault(row(key));
  if (typeof fallback !== 'boolean') throw new Error(`setting ${key} is not a boolean (assert)`);
  return z.boolean().default(fallback);
}

/** A non-empty text option with the row's default. */
export function textOption(key: string): z.ZodDefault<z.ZodString> {
  const fallback = parsedDefault(row(key));
  if (typeof fallback !== 'string') throw new Error(`setting ${key} is not text (assert)`);
  return z.string().min(1).default(fallback);
}
