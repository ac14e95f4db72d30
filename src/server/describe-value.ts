import { renderNumber } from '../protocol/index.js';

/** Short rendering of a bad value for error messages (never the whole body). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  // 1e999 in a JSON body parses to Infinity, which JSON.stringify would show as null
  const text = typeof value === 'number' ? renderNumber(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
