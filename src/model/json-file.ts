import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { fileMissing, modelError, renderValue } from './errors.js';

/** Reads a JSON file as `unknown`; absent -> `undefined` when `optional`, else MODEL_FILE_MISSING. */
export async function readJsonFile(file: string, options: { readonly optional?: boolean; readonly expected: string }): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (options.optional === true && isNotFound(error)) return undefined;
    throw fileMissing(file, options.expected, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw modelError('MODEL_CONFIG_INVALID', 'file is not valid JSON', { file, expected: options.expected, cause: error });
  }
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

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
