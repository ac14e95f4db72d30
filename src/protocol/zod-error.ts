/** Turns zod's first issue into an LlmDeployError that names the field, the value and what was expected. */
import type { z } from 'zod';
import type { LlmDeployError } from '../config/index.js';
import { messageError, type MessageSource, type ProtocolErrorCode } from './errors.js';
import { renderValue } from './render-value.js';

export { renderNumber, renderValue } from './render-value.js';

/** `inputs[0].shape[1]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** The value at `path` inside `root` (undefined where the path leaves the objects). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = Reflect.get(value, key);
  }
  return value;
}

/** Options for {@link zodError}. */
export interface ZodErrorOptions {
  readonly code: ProtocolErrorCode;
  readonly source?: MessageSource;
  /** Prefix for the field path, e.g. `parameters`. */
  readonly prefix?: string;
  /** What the message was, e.g. `KServe v2 infer request`. */
  readonly what: string;
  /** Allowed keys per object path (`''` = top level), named when an unknown key is found. */
  readonly knownKeys?: Readonly<Record<string, readonly string[]>>;
}

/** zod's "Too small: expected number to be >0" -> "number to be >0". */
function cleanMessage(message: string): string {
  return message.replace(/^(Too small|Too big|Invalid input|Invalid option): /, '').replace(/^expected /, '');
}

/** Builds our error from a failed safeParse: field = issue path, given = the value found there. */
export function zodError(error: z.ZodError, root: unknown, options: ZodErrorOptions): LlmDeployError {
  const issue = error.issues[0];
  const source = options.source ?? 'request';
  if (issue === undefined) return messageError(source, `invalid ${options.what}`, { code: options.code });
  let path = issue.path;
  let summary = `invalid ${options.what}`;
  let expected = cleanMessage(issue.message);
  if (issue.code === 'unrecognized_keys') {
    path = [...issue.path, issue.keys[0] ?? ''];
    summary = `unknown field in ${options.what}`;
    const known = options.knownKeys?.[formatPath(issue.path)];
    expected = known === undefined ? 'one of the documented fields' : `one of ${known.join(', ')}`;
  }
  const field = [options.prefix, formatPath(path)].filter((part) => part !== undefined && part !== '').join('.');
  const given = issue.code === 'unrecognized_keys' ? undefined : renderValue(valueAt(root, issue.path));
  return messageError(source, summary, {
    code: options.code,
    ...(field === '' ? {} : { field }),
    ...(given === undefined ? {} : { given }),
    expected,
  });
}
