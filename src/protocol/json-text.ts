/**
 * JSON text from a client, parsed with the prototype-poisoning rule of Fastify's own parser
 * (secure-json-parse: an own `__proto__` key, or a `constructor` object with an own `prototype`, is refused),
 * but the refusal names the key and its path instead of calling the body "not valid JSON".
 * @see https://fastify.dev/docs/latest/Reference/Server/#onprotopoisoning
 * @see https://github.com/fastify/secure-json-parse/blob/main/index.js
 */
import type { LlmDeployError } from '../config/index.js';
import { messageError, PROTOCOL_ERROR_CODES, type MessageSource } from './errors.js';
import { checkJsonDepth } from './json-depth.js';
import { formatPath, renderValue } from './zod-error.js';

// secure-json-parse's pre-scan: only texts holding these keys (escapes included) need the walk
const SUSPECT_PROTO =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;
const SUSPECT_CONSTRUCTOR =
  /"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"\s*:/;

/** The path of the first key that would reach an object prototype, breadth first; undefined when there is none. */
export function findPrototypeKey(root: unknown): readonly (string | number)[] | undefined {
  let level: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { value, path } of level) {
      if (typeof value !== 'object' || value === null) continue;
      if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'];
      const constructor: unknown = Object.hasOwn(value, 'constructor') ? Reflect.get(value, 'constructor') : undefined;
      if (typeof constructor === 'object' && constructor !== null && Object.hasOwn(constructor, 'prototype')) {
        return [...path, 'constructor', 'prototype'];
      }
      const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
      for (const [key, inner] of entries)
        if (typeof inner === 'object' && inner !== null) next.push({ value: inner, path: [...path, key] });
    }
    level = next;
  }
  return undefined;
}

/** The refusal of a body holding a prototype key: 400 naming the key and where it is. */
export function prototypeKeyError(path: readonly (string | number)[], source: MessageSource): LlmDeployError {
  const key = path.at(-1) === 'prototype' ? 'constructor.prototype' : '__proto__';
  return messageError(source, `key "${key}" is not allowed`, {
    code: PROTOCOL_ERROR_CODES.bodyInvalid,
    field: formatPath(path),
    expected: 'JSON without "__proto__" or "constructor.prototype" keys (they would reach the object prototype)',
  });
}

/** Options of {@link parseJsonText}. */
export interface ParseJsonTextOptions {
  /** Appended to the syntax-error summary (e.g. a note about the binary framing header). */
  readonly hint?: string;
  /** What the body should have been (default "a JSON value"). */
  readonly expected?: string;
}

/**
 * Parses JSON text; malformed text is a 400 naming JSON's complaint, nesting past MAX_JSON_DEPTH a
 * 400 naming the limit (checked before parsing), a prototype key a 400 naming the key.
 * @example parseJsonText('{"instances":["hi"]}', 'request')
 */
export function parseJsonText(text: string, source: MessageSource, options: ParseJsonTextOptions = {}): unknown {
  checkJsonDepth(text, source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    throw messageError(source, `body is not valid JSON: ${reason}${options.hint ?? ''}`, {
      code: PROTOCOL_ERROR_CODES.bodyInvalid,
      field: 'body',
      given: renderValue(text.slice(0, 60)),
      expected: options.expected ?? 'a JSON value',
      cause: error,
    });
  }
  rejectPrototypeKeys(text, value, source);
  return value;
}

/** Throws {@link prototypeKeyError} when `value`, parsed from `text`, holds a prototype key. */
export function rejectPrototypeKeys(text: string, value: unknown, source: MessageSource): void {
  if (!SUSPECT_PROTO.test(text) && !SUSPECT_CONSTRUCTOR.test(text)) return;
  const path = findPrototypeKey(value);
  if (path !== undefined) throw prototypeKeyError(path, source);
}
