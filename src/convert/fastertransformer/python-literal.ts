// config.ini values are Python's str() of the parsed config.json values, so types matter:
// JSON `2.0` is a float ("2.0"), `2` an int ("2"). This parser keeps that distinction.

/** A JSON value as Python's json module would load it. */
export type PyValue =
  | { readonly kind: 'none' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'list'; readonly items: readonly PyValue[] }
  | { readonly kind: 'dict'; readonly entries: ReadonlyArray<readonly [PyValue, PyValue]> };

/** Helpers to build values. */
export const py = {
  none: { kind: 'none' } as PyValue,
  bool: (value: boolean): PyValue => ({ kind: 'bool', value }),
  int: (value: number): PyValue => ({ kind: 'int', value }),
  float: (value: number): PyValue => ({ kind: 'float', value }),
  str: (value: string): PyValue => ({ kind: 'str', value }),
};

/** Parses JSON text into {@link PyValue}s (throws SyntaxError on malformed text). */
export function parsePythonJson(text: string): PyValue {
  const value: unknown = JSON.parse(text);
  const numbers = numberLiterals(text);
  let next = 0;
  const convert = (node: unknown): PyValue => {
    if (node === null) return py.none;
    if (typeof node === 'boolean') return py.bool(node);
    if (typeof node === 'number') {
      const literal = numbers[next] ?? '';
      next += 1;
      return /[.eE]/.test(literal) ? py.float(node) : py.int(node);
    }
    if (typeof node === 'string') return py.str(node);
    if (Array.isArray(node)) return { kind: 'list', items: node.map((item) => convert(item)) };
    const entries = Object.entries(node as Record<string, unknown>).map(([key, item]) => [py.str(key), convert(item)] as const);
    return { kind: 'dict', entries };
  };
  return convert(value);
}

// Number literals in document order, skipping strings (JSON.parse visits values in the same order).
function numberLiterals(text: string): string[] {
  const found: string[] = [];
  const pattern = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (const match of text.matchAll(pattern)) if (!match[0].startsWith('"')) found.push(match[0]);
  return found;
}

/** Python's `str(value)` (top level: strings bare); nested values use `repr`. */
export function pythonStr(value: PyValue): string {
  return value.kind === 'str' ? value.value : pythonRepr(value);
}

/** Python's `repr(value)`. */
export function pythonRepr(value: PyValue): string {
  switch (value.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return String(value.value);
    case 'float':
      return pythonFloat(value.value);
    case 'str':
      return `'${value.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
    case 'list':
      return `[${value.items.map((item) => pythonRepr(item)).join(', ')}]`;
    case 'dict':
      return `{${value.entries.map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
    default: {
      const never: never = value;
      return never;
    }
  }
}

/** Python's float repr: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  const fixed = String(value);
  return /[.e]/.test(fixed) ? fixed : `${fixed}.0`;
}
