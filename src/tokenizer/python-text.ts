// Python's str.strip()/lstrip()/rstrip() without arguments, which HF's tokenizer code relies on.
// Python's whitespace differs from JavaScript's trim(): it includes \x1c-\x1f and \x85 but not \ufeff.
const PYTHON_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${PYTHON_SPACE}]+`, 'u');
const TRAILING = new RegExp(`[${PYTHON_SPACE}]+$`, 'u');

/** `text.lstrip()` in Python. */
export function pythonLstrip(text: string): string {
  return text.replace(LEADING, '');
}

/** `text.rstrip()` in Python. */
export function pythonRstrip(text: string): string {
  return text.replace(TRAILING, '');
}

/** `text.strip()` in Python. */
export function pythonStrip(text: string): string {
  return pythonRstrip(pythonLstrip(text));
}
