import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderValue } from './render-value.js';

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

test('renders JSON values as JSON, cut to the limit', () => {
  assert.equal(renderValue({ a: [1, 'x', true, null] }), '{"a":[1,"x",true,null]}');
  assert.equal(renderValue(12n), '12');
  assert.equal(renderValue(undefined), 'nothing');
  assert.equal(renderValue('x'.repeat(200), 20), `"${'x'.repeat(16)}...`);
});

test('100,000 levels of nesting render in bounded time and length, without a stack overflow', () => {
  const text = renderValue(nest(100_000));
  assert.ok(text.length <= 80, text);
  assert.ok(text.startsWith('{"a":[{"a":['), text);
});

test('a huge value is not serialised whole to show its start', () => {
  const huge = Array.from({ length: 1000 }, () => 'y'.repeat(10_000));
  let reads = 0;
  const watched = new Proxy(huge, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const text = renderValue(watched, 60);
  assert.ok(text.length <= 60, text);
  assert.ok(reads < 5, `${reads} elements read`);
});
