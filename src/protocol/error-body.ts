/**
 * Error shapes per protocol family, so the server's one error handler answers each client in its
 * own dialect: ours/Vertex/KServe `{"error": msg}`, OpenAI `{"error": {message, type, param, code}}`,
 * TGI `{"error", "error_type"}` (422 for validation). Over capacity is 429 + Retry-After on
 * TGI/OpenAI routes and 503 (+ Retry-After) on Vertex/KServe/our routes.
 */
import { LlmDeployError } from '../config/index.js';

/** Which dialect a route speaks. */
export type ProtocolFamily = 'own' | 'vertex' | 'kserve' | 'tgi' | 'openai';

/** Codes that mean "too busy right now" whatever their httpStatus. */
export const OVER_CAPACITY_CODES: ReadonlySet<string> = new Set(['ENGINE_QUEUE_FULL', 'SERVER_OVERLOADED']);

/** Status, body and headers for one error. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Options for {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** Seconds in Retry-After when over capacity or unavailable; default 1. */
  readonly retryAfterSeconds?: number;
}

const GENERIC = 'internal error; see the server log';

/** Longest message or param an error body carries; a hostile body can make an error's facts long. */
export const MAX_ERROR_TEXT_CHARS = 1000;

/** Keeps both ends: a long field name comes before the summary, a long given value after it. */
function capped(text: string): string {
  if (text.length <= MAX_ERROR_TEXT_CHARS) return text;
  const head = Math.floor(MAX_ERROR_TEXT_CHARS * 0.6);
  return `${text.slice(0, head)} ... ${text.slice(text.length - (MAX_ERROR_TEXT_CHARS - head - 5))}`;
}

function asKnown(error: unknown): LlmDeployError | undefined {
  return LlmDeployError.isInstance(error) ? error : undefined;
}

/** True when the error means the server is too busy (status 429 or an over-capacity code). */
export function isOverCapacity(error: unknown): boolean {
  const known = asKnown(error);
  return known !== undefined && (known.httpStatus === 429 || OVER_CAPACITY_CODES.has(known.code));
}

/** HTTP status per family: over capacity 429 (TGI/OpenAI) or 503; TGI answers caller mistakes with 422. */
export function statusFor(family: ProtocolFamily, error: unknown): number {
  const known = asKnown(error);
  if (known === undefined) return 500;
  const openFamily = family === 'tgi' || family === 'openai';
  if (isOverCapacity(known)) return openFamily ? 429 : 503;
  if (family === 'tgi' && known.httpStatus === 400) return 422;
  return known.httpStatus;
}

/**
 * Our codes that OpenAI clients recognise by OpenAI's own code and type: an unknown model is 404
 * `model_not_found` / `invalid_request_error` (https://platform.openai.com/docs/guides/error-codes,
 * answered the same by vLLM).
 */
const OPENAI_CODES: Readonly<Record<string, { readonly code: string; readonly type: string }>> = {
  SERVER_MODEL_NOT_FOUND: { code: 'model_not_found', type: 'invalid_request_error' },
};

function openAiError(status: number, known: LlmDeployError | undefined, message: string): unknown {
  const mapped = known === undefined ? undefined : OPENAI_CODES[known.code];
  return {
    error: {
      message,
      type: mapped?.type ?? openAiType(status),
      param: known?.field === undefined ? null : capped(known.field),
      code: mapped?.code ?? known?.code.toLowerCase() ?? null,
    },
  };
}

function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function tgiType(status: number, overCapacity: boolean): string {
  if (overCapacity) return 'overloaded';
  if (status === 422 || status === 413) return 'validation';
  if (status === 503) return 'unhealthy';
  if (status >= 500) return 'generation';
  return 'validation';
}

/** The body in the family's shape; unknown errors get a generic message (log the real one). */
export function errorBody(family: ProtocolFamily, error: unknown): unknown {
  const known = asKnown(error);
  const message = capped(known?.message ?? GENERIC);
  const status = statusFor(family, error);
  switch (family) {
    case 'openai':
      return openAiError(status, known, message);
    case 'tgi':
      return { error: message, error_type: tgiType(status, isOverCapacity(error)) };
    case 'own':
    case 'vertex':
    case 'kserve':
      return { error: message };
    default: {
      const impossible: never = family;
      return impossible;
    }
  }
}

/**
 * Everything the error handler sends.
 * @example const { status, body, headers } = errorResponse('tgi', error); reply.code(status).headers(headers).send(body)
 */
export function errorResponse(family: ProtocolFamily, error: unknown, options: ErrorResponseOptions = {}): ErrorResponse {
  const status = statusFor(family, error);
  const retry = status === 429 || status === 503;
  return {
    status,
    body: errorBody(family, error),
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(retry ? { 'retry-after': String(options.retryAfterSeconds ?? 1) } : {}),
    },
  };
}
