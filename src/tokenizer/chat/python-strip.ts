/**
 * Python's `str.strip([chars])`, `lstrip` and `rstrip` for chat templates. `@huggingface/jinja`
 * 0.5.11 ignores the `chars` argument (`content.lstrip('\n')` strips every space, as Qwen3's
 * template shows) and uses JavaScript's whitespace set; calls in a parsed template are rewritten to
 * {@link PYTHON_STRIP_GLOBAL}, which does what jinja2 (calling Python's methods) does.
 * @see https://docs.python.org/3/library/stdtypes.html#str.strip
 */

/** The global the rewritten calls go to: `__python_strip(value, method, chars?)`. */
export const PYTHON_STRIP_GLOBAL = '__llm_deploy_python_strip';

const METHODS = new Set(['strip', 'lstrip', 'rstrip']);

// str.isspace(): Unicode White_Space plus the ASCII separators \x1c-\x1f (JavaScript's \s differs: it has \ufeff, lacks \x1c-\x1f and \x85)
const PYTHON_WHITESPACE = new Set(
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000',
);

/** `value.<method>(chars)` with Python's semantics; `chars` null or absent strips whitespace. */
export function pythonStrip(value: unknown, method: unknown, chars?: unknown): string {
  const text = String(value);
  const strip = typeof chars === 'string' ? new Set(chars) : PYTHON_WHITESPACE;
  const points = [...text];
  let start = 0;
  let end = points.length;
  if (method !== 'rstrip') while (start < end && strip.has(points[start] ?? '')) start += 1;
  if (method !== 'lstrip') while (end > start && strip.has(points[end - 1] ?? '')) end -= 1;
  return points.slice(start, end).join('');
}

function isNode(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Nodes the rewrite needs, made by the template parser. */
export interface StripRewriteNodes {
  /** An Identifier node naming {@link PYTHON_STRIP_GLOBAL}. */
  readonly callee: object;
  /** A StringLiteral node holding `text`. */
  literal(text: string): object;
}

/** Rewrites every `x.strip(...)`, `x.lstrip(...)`, `x.rstrip(...)` call of a parsed template in place. */
export function rewriteStripCalls(node: unknown, nodes: StripRewriteNodes): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteStripCalls(item, nodes);
    return;
  }
  if (!isNode(node)) return;
  for (const child of Object.values(node)) rewriteStripCalls(child, nodes);
  const callee = node.callee;
  if (node.type !== 'CallExpression' || !isNode(callee) || callee.type !== 'MemberExpression' || callee.computed === true) return;
  const property = callee.property;
  if (!isNode(property) || property.type !== 'Identifier' || typeof property.value !== 'string' || !METHODS.has(property.value)) return;
  const args = Array.isArray(node.args) ? node.args : [];
  node.callee = nodes.callee;
  node.args = [callee.object, nodes.literal(property.value), ...args];
}
