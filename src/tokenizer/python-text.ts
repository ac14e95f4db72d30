// Python's str.strip()/lstrip()/rstrip() without arguments, which HF's tokenizer code relies on.
// Python's whitespace differs from JavaScript's trim(): it includes \x1c-\x1f and \x85 but not \ufeff.
// Scanned by hand: a `[...]+$` regex backtracks quadratically on a long run of spaces followed by text.
/** Python's whitespace (all in the BMP, so one UTF-16 code unit decides): \t-\r, \x1c-\x20, \x85, \xa0 and Unicode's spaces. */
function isPythonSpace(code: number): boolean {
  if (code <= 0x20) return (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** `text.lstrip()` in Python. */
export function pythonLstrip(text: string): string {
  let start = 0;
  while (start < text.length && isPythonSpace(text.charCodeAt(start))) start += 1;
  return text.slice(start);
}

/** `text.rstrip()` in Python. */
export function pythonRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPythonSpace(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end);
}

/** `text.strip()` in Python. */
export function pythonStrip(text: string): string {
  return pythonRstrip(pythonLstrip(text));
}
