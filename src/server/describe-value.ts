import { renderNumber } from '../protocol/index.js';

/** Short rendering of a bad value for error messages (never the whole body). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  // cut before serialising: a 10 MB string must not be copied to show its first 40 characters; and
  // 1e999 in a JSON body parses to Infinity, which JSON.stringify would show as null
  const text =
    typeof value === 'string'
      ? JSON.stringify(value.slice(0, 41))
      : typeof value === 'number'
        ? renderNumber(value)
        : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
