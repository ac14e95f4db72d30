/**
 * Parses an untrusted request value with a zod schema; the first issue becomes a 400 that names
 * the field (JSON path), what was given and what was expected.
 */
import type { z } from 'zod';
import { formatPath, valueAt } from '../../protocol/index.js';
import { describeValue } from '../describe-value.js';
import { invalidField } from '../errors.js';

/**
 * @example parseBody(vertexBodySchema, request.body, 'body')
 */
export function parseBody<Schema extends z.ZodType>(schema: Schema, value: unknown, root: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const field = joinPath(root, path);
  if (issue?.code === 'unrecognized_keys') {
    throw invalidField('unknown field', {
      field: joinPath(field, [issue.keys[0] ?? '']),
      expected: 'only documented fields',
    });
  }
  throw invalidField('invalid value', {
    field,
    given: describeValue(valueAt(value, path)),
    expected: issue?.message.replace(/^Invalid input: /, '') ?? 'a valid value',
  });
}

function joinPath(root: string, path: readonly PropertyKey[]): string {
  const rest = formatPath(path);
  return root === '' || rest === '' || rest.startsWith('[') ? `${root}${rest}` : `${root}.${rest}`;
}
