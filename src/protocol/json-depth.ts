/**
 * A linear pre-scan that bounds the nesting of JSON text before `JSON.parse` sees it. V8 parses
 * 100,000 levels of `[` without trouble, but every recursive consumer after it (renderers,
 * serialisers, validators) can overflow the stack, so the bound is applied once, at the edge.
 */
import type { LlmDeployError } from '../config/index.js';
import { messageError, PROTOCOL_ERROR_CODES, type MessageSource } from './errors.js';

/**
 * Deepest nesting of arrays and objects a JSON message may have. Real messages need far less:
 * a KServe v2 request with a rank-3 tensor (FasterTransformer's `stop_words_list`) is 5 levels deep,
 * OpenAI tool schemas rarely pass 20.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;

/**
 * Offset of the bracket that opens level `maxDepth + 1` (brackets inside strings do not count),
 * or -1 when the text stays within `maxDepth`. Bytes of UTF-8 work as well as a string: every
 * character the scan looks at is ASCII.
 * @example jsonDepthOverflow('[[1]]', 1) // 1
 */
export function jsonDepthOverflow(text: string | Uint8Array, maxDepth: number): number {
  const at = typeof text === 'string' ? (index: number) => text.charCodeAt(index) : (index: number) => text[index]!;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = at(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_SQUARE || code === OPEN_CURLY) {
      depth += 1;
      if (depth > maxDepth) return index;
    } else if (code === CLOSE_SQUARE || code === CLOSE_CURLY) depth -= 1;
  }
  return -1;
}

/**
 * Throws a 400 (a 502 for an upstream reply) when `text` nests deeper than `maxDepth`.
 * @example checkJsonDepth(body, 'request') // before JSON.parse(body)
 */
export function checkJsonDepth(text: string | Uint8Array, source: MessageSource, maxDepth = MAX_JSON_DEPTH): void {
  const offset = jsonDepthOverflow(text, maxDepth);
  if (offset !== -1) throw jsonTooDeep(source, { offset, maxDepth });
}

/** The error for JSON nested past the limit; `offset` is where level `maxDepth + 1` opens. */
export function jsonTooDeep(source: MessageSource, facts: { readonly offset: number; readonly maxDepth: number }): LlmDeployError {
  return messageError(source, 'JSON nested too deeply', {
    code: PROTOCOL_ERROR_CODES.bodyInvalid,
    field: 'body',
    given: `more than ${facts.maxDepth} levels of nested arrays/objects (at byte ${facts.offset})`,
    expected: `at most ${facts.maxDepth} levels`,
  });
}
