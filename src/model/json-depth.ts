// JSON nesting is bounded before anything recursive (zod, JSON.stringify, our renderers) walks a parsed value:
// a file of 100k '[' parses, then overflows the stack in the first recursive reader.

/** Deepest nesting accepted in model JSON files; Hugging Face's own files stay under 10 levels. */
export const MAX_JSON_DEPTH = 64;

/** The character offset where `text` first nests deeper than `maxDepth` arrays/objects, or `undefined`. */
export function jsonDepthOverflow(text: string, maxDepth: number = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
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
