import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';
import { parseBody } from './parse-body.js';

const schema = z.strictObject({ items: z.array(z.strictObject({ n: z.number().int().max(5) })) });

function fails(value: unknown): LlmDeployError {
  try {
    parseBody(schema, value, 'body');
  } catch (error) {
    if (LlmDeployError.isInstance(error)) return error;
    throw error;
  }
  assert.fail('expected a 400');
}

describe('parseBody', () => {
  it('returns the typed value when it fits', () => {
    assert.deepEqual(parseBody(schema, { items: [{ n: 1 }] }, 'body'), { items: [{ n: 1 }] });
  });

  it('names the JSON path, the value given and what was expected', () => {
    const error = fails({ items: [{ n: 1 }, { n: 'x'.repeat(80) }] });
    assert.equal(error.httpStatus, 400);
    assert.equal(error.field, 'body.items[1].n');
    assert.match(error.given ?? '', /^"x+\.\.\.$/);
    assert.match(error.expected ?? '', /number/);
    assert.equal(fails({ items: [{ n: 9 }] }).given, '9');
    assert.equal(fails({ items: 'no' }).given, '"no"');
  });

  it('reports unknown fields by name', () => {
    const error = fails({ items: [], extra: true });
    assert.equal(error.field, 'body.extra');
    assert.match(error.message, /unknown field/);
  });
});
