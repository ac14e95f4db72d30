import { basename, join } from 'node:path';
import type { z } from 'zod';
import { modelError, renderValue } from './errors.js';
import { jsonDepthOverflow, MAX_JSON_DEPTH } from './json-depth.js';
import { MODEL_FILE_LIMITS, readModelFile } from './model-file.js';

/** Options of {@link readJsonFile}. */
export interface ReadJsonFileOptions {
  readonly optional?: boolean;
  /** What the file should be, for messages. */
  readonly expected: string;
  /** Default: {@link MODEL_FILE_LIMITS}.configJsonBytes. */
  readonly maxBytes?: number;
}

/**
 * Reads a JSON file as `unknown`; absent -> `undefined` when `optional`, else MODEL_FILE_MISSING.
 * Only regular files up to `maxBytes`, nested at most {@link MAX_JSON_DEPTH} deep (MODEL_CONFIG_INVALID otherwise).
 */
export async function readJsonFile(file: string, options: ReadJsonFileOptions): Promise<unknown> {
  const bytes = await readModelFile(file, {
    expected: options.expected,
    maxBytes: options.maxBytes ?? MODEL_FILE_LIMITS.configJsonBytes,
    ...(options.optional === undefined ? {} : { optional: options.optional }),
  });
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  const deepAt = jsonDepthOverflow(text);
  if (deepAt !== undefined) {
    throw modelError('MODEL_CONFIG_INVALID', 'JSON is nested too deeply', {
      file,
      given: `more than ${MAX_JSON_DEPTH} levels at character ${deepAt}`,
      expected: `${options.expected}, nested at most ${MAX_JSON_DEPTH} levels`,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw modelError('MODEL_CONFIG_INVALID', 'file is not valid JSON', { file, expected: options.expected, cause: error });
  }
}

/** The file every Hugging Face model reader starts from. */
const CONFIG_JSON = 'config.json';

/**
 * `value` (a parsed JSON file) as a fresh record of its own keys; MODEL_CONFIG_INVALID "<file name> must hold a JSON
 * object" when it is an array, null or a scalar. The one top-level check of config.json and generation_config.json.
 */
export function jsonObject(value: unknown, file: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw modelError('MODEL_CONFIG_INVALID', `${basename(file)} must hold a JSON object`, {
      file,
      given: renderValue(value),
      expected: 'an object',
    });
  }
  return { ...value };
}

/** Reads `<dir>/config.json` and checks it holds an object (the T5, BART and decoder-only readers each take it from here). */
export async function readConfigJson(dir: string): Promise<{ readonly file: string; readonly raw: Record<string, unknown> }> {
  const file = join(dir, CONFIG_JSON);
  return { file, raw: jsonObject(await readJsonFile(file, { expected: 'a Hugging Face config.json' }), file) };
}

/** Parses `value` with `schema`; the first issue becomes MODEL_CONFIG_INVALID naming the field and the value given. */
export function parseWithSchema<T extends z.ZodType>(schema: T, value: unknown, file: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const field = path.length === 0 ? '(top level)' : path.map(String).join('.');
  throw modelError('MODEL_CONFIG_INVALID', 'invalid field', {
    file,
    field,
    given: renderValue(valueAt(value, path)),
    expected: issue === undefined ? 'a valid value' : expectedFrom(issue.message),
  });
}

// zod says "Invalid input: expected number, received string"; the value given is reported separately.
function expectedFrom(message: string): string {
  const text = message
    .replace(/^[A-Z][a-z ]+: /, '')
    .replace(/^expected /, '')
    .replace(/, received [^,]+$/, '');
  return text === 'Invalid input' ? 'a valid value' : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
