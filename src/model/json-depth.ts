// JSON nesting is bounded before anything recursive (zod, JSON.stringify, our renderers) walks a parsed value:
// a file of 100k '[' parses, then overflows the stack in the first recursive reader.

/**
 * Deepest nesting accepted in JSON, from files and from clients alike. Real documents need far less:
 * Hugging Face's files stay under 10 levels, a KServe v2 request with a rank-3 tensor is 5 deep.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The offset where `text` first nests deeper than `maxDepth` arrays/objects, or `undefined`; brackets
 * inside strings do not count. UTF-8 bytes work as well as a string (every character looked at is ASCII),
 * so request bodies are checked before they are decoded.
 * @example jsonDepthOverflow('[[1]]', 1) // 1
 */
export function jsonDepthOverflow(text: string | Uint8Array, maxDepth: number = MAX_JSON_DEPTH): number | undefined {
  const at = typeof text === 'string' ? (index: number) => text.charCodeAt(index) : (index: number) => text[index]!;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = at(index);
    if (inString) {
      if (code === 0x5c) index += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return index;
    } else if (code === 0x5d || code === 0x7d) {
      depth -= 1;
    }
  }
  return undefined;
}
