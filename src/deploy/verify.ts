import { LlmDeployError } from '../config/index.js';

/** One difference between the expected and the actual JSON value. */
export interface JsonDifference {
  /** JSON path such as `$.predictions[1]`. */
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** Every place where `actual` differs from `expected` (deep, order-sensitive for arrays). */
export function jsonDifferences(expected: unknown, actual: unknown, path = '$'): JsonDifference[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const differences: JsonDifference[] = [];
    for (let index = 0; index < Math.max(expected.length, actual.length); index++) {
      const itemPath = `${path}[${index}]`;
      if (index >= actual.length) differences.push({ path: itemPath, expected: expected[index], actual: '(missing)' });
      else if (index >= expected.length) differences.push({ path: itemPath, expected: '(absent)', actual: actual[index] });
      else differences.push(...jsonDifferences(expected[index], actual[index], itemPath));
    }
    return differences;
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((key) => {
      const keyPath = `${path}.${key}`;
      if (!(key in actual)) return [{ path: keyPath, expected: expected[key], actual: '(missing)' }];
      if (!(key in expected)) return [{ path: keyPath, expected: '(absent)', actual: actual[key] }];
      return jsonDifferences(expected[key], actual[key], keyPath);
    });
  }
  return Object.is(expected, actual) ? [] : [{ path, expected, actual }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Readable diff lines: `$.predictions[0]: expected "a", got "b"`. */
export function formatDifferences(differences: readonly JsonDifference[]): string {
  return differences
    .map((difference) => `${difference.path}: expected ${JSON.stringify(difference.expected)}, got ${JSON.stringify(difference.actual)}`)
    .join('\n');
}

/** Options for {@link verifyDeployment}. */
export interface VerifyOptions {
  readonly url: string;
  readonly payload: unknown;
  readonly expected: unknown;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
}

/**
 * Posts an /infer body to `url`/infer and compares the reply with the expected JSON.
 * Throws DEPLOY_VERIFY_CALL_FAILED when the call itself fails (no answer, non-200, not JSON).
 * @example const diff = await verifyDeployment({ url: 'http://127.0.0.1:5001', payload, expected });
 */
export async function verifyDeployment(options: VerifyOptions): Promise<JsonDifference[]> {
  const target = `${options.url.replace(/\/+$/, '')}/infer`;
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
      },
      body: JSON.stringify(options.payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
    });
  } catch (cause) {
    throw callFailed(target, 'no answer', cause);
  }
  const text = await response.text();
  if (response.status !== 200) throw callFailed(target, `HTTP ${response.status}: ${text.slice(0, 500)}`);
  let actual: unknown;
  try {
    actual = JSON.parse(text);
  } catch (cause) {
    throw callFailed(target, `the reply is not JSON: ${text.slice(0, 200)}`, cause);
  }
  return jsonDifferences(options.expected, actual);
}

function callFailed(target: string, detail: string, cause?: unknown): LlmDeployError {
  return new LlmDeployError(`POST ${target} failed: ${detail}`, { code: 'DEPLOY_VERIFY_CALL_FAILED', httpStatus: 502, cause });
}
