/**
 * Bounded rendering of untrusted values for error messages: JSON text written iteratively (no
 * recursion, so 100,000 levels of nesting cannot overflow the stack) that stops once it has
 * `maxChars` characters, so a 60 MB value costs what its first 80 characters cost.
 */

/** One open array or object on the rendering stack. */
interface Frame {
  readonly close: string;
  readonly source: object;
  readonly length: number;
  /** Object keys (undefined for arrays); items are read one by one, only as far as they are shown. */
  readonly keys?: readonly string[];
  next: number;
}

/** A number as it is: Infinity, -Infinity, NaN and -0 too, which JSON.stringify turns into null and 0. */
export function renderNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function scalarText(value: unknown, budget: number): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
  // numbers JSON cannot hold (1e999 parses to Infinity) are shown truthfully
  if (typeof value === 'number') return renderNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return undefined;
}

function open(value: object): { text: string; frame: Frame } {
  if (Array.isArray(value)) return { text: '[', frame: { close: ']', source: value, length: value.length, next: 0 } };
  const keys = Object.keys(value);
  return { text: '{', frame: { close: '}', source: value, length: keys.length, keys, next: 0 } };
}

/**
 * JSON-like text of `value`, at most about `maxChars` long (the caller cuts and marks the end).
 * @example boundedJson({ a: [1, 2] }, 80) // '{"a":[1,2]}'
 */
export function boundedJson(value: unknown, maxChars: number): string {
  let out = '';
  const stack: Frame[] = [];
  let pending: unknown = value;
  let hasPending = true;
  while (out.length < maxChars) {
    if (hasPending) {
      hasPending = false;
      const scalar = scalarText(pending, maxChars - out.length);
      if (scalar !== undefined) out += scalar;
      else if (typeof pending === 'object' && pending !== null) {
        const opened = open(pending);
        out += opened.text;
        stack.push(opened.frame);
      } else out += 'null';
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (top.next >= top.length) {
      out += top.close;
      stack.pop();
      continue;
    }
    if (top.next > 0) out += ',';
    const key = top.keys === undefined ? top.next : top.keys[top.next]!;
    if (typeof key === 'string') out += `${JSON.stringify(key.slice(0, maxChars))}:`;
    pending = Reflect.get(top.source, key);
    hasPending = true;
    top.next += 1;
  }
  return out;
}

/** Renders a JSON value for an error message, cut to `maxChars` (default 80) with `...`. */
export function renderValue(value: unknown, maxChars = 80): string {
  const text = value === undefined ? 'nothing' : boundedJson(value, maxChars + 1);
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}
