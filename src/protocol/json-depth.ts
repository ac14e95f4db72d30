/**
 * A linear pre-scan that bounds the nesting of JSON text before `JSON.parse` sees it. V8 parses
 * 100,000 levels of `[` without trouble, but every recursive consumer after it (renderers,
 * serialisers, validators) can overflow the stack, so the bound is applied once, at the edge.
 */
import type { LlmDeployError } from '../config/index.js';
import { jsonDepthOverflow, MAX_JSON_DEPTH } from '../model/index.js';
import { messageError, PROTOCOL_ERROR_CODES, type MessageSource } from './errors.js';

export { MAX_JSON_DEPTH } from '../model/index.js';

/**
 * Throws a 400 (a 502 for an upstream reply) when `text` nests deeper than `maxDepth`.
 * @example checkJsonDepth(body, 'request') // before JSON.parse(body)
 */
export function checkJsonDepth(text: string | Uint8Array, source: MessageSource, maxDepth = MAX_JSON_DEPTH): void {
  const offset = jsonDepthOverflow(text, maxDepth);
  if (offset !== undefined) throw jsonTooDeep(source, { offset, maxDepth });
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
