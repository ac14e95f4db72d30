/**
 * The server's error catalogue. Routes throw these; `error-handler.ts` turns them into responses.
 */
import { LlmDeployError, type ErrorFacts } from '../config/index.js';

/** A request field is missing, mistyped or out of range (400; TGI routes answer 422). */
export function invalidField(summary: string, facts: ErrorFacts & { field: string }): LlmDeployError {
  return new LlmDeployError(summary, { code: 'SERVER_FIELD_INVALID', httpStatus: 400, ...facts });
}

/** The body is not what the route reads (malformed JSON, wrong content type). */
export function invalidBody(summary: string, facts: ErrorFacts = {}): LlmDeployError {
  return new LlmDeployError(summary, { code: 'SERVER_BODY_INVALID', httpStatus: 400, ...facts });
}

/** The body's Content-Type has no parser on this route (415). */
export function unsupportedMediaType(given: string | undefined): LlmDeployError {
  return new LlmDeployError('unsupported request content type', {
    code: 'SERVER_MEDIA_TYPE_UNSUPPORTED',
    httpStatus: 415,
    field: 'Content-Type',
    given: given === undefined ? 'none' : JSON.stringify(given),
    expected: 'application/json (or application/octet-stream for KServe v2 binary)',
  });
}

/** Node's HTTP parser refused the request before any route saw it: header overflow (431) or bad syntax (400). */
export function clientRequestRefused(kind: 'header-overflow' | 'malformed', maxHeaderBytes: number): LlmDeployError {
  switch (kind) {
    case 'header-overflow':
      return new LlmDeployError('request header fields too large', {
        code: 'SERVER_HEADERS_TOO_LARGE',
        httpStatus: 431,
        expected: `at most ${maxHeaderBytes} bytes of request line and headers`,
      });
    case 'malformed':
      return new LlmDeployError('malformed HTTP request', {
        code: 'SERVER_REQUEST_MALFORMED',
        httpStatus: 400,
        expected: 'an HTTP/1.1 request',
      });
    default: {
      const impossible: never = kind;
      return impossible;
    }
  }
}

/** The body is larger than the configured limit. */
export function bodyTooLarge(limitBytes: number): LlmDeployError {
  return new LlmDeployError('request body too large', {
    code: 'SERVER_BODY_TOO_LARGE',
    httpStatus: 413,
    expected: `at most ${limitBytes} bytes`,
  });
}

/** The JSON of a request (a KServe v2 body's JSON part included) is larger than `bodyLimitBytes`. */
export function jsonTooLarge(limitBytes: number): LlmDeployError {
  return new LlmDeployError('JSON part of the request too large', {
    code: 'SERVER_BODY_TOO_LARGE',
    httpStatus: 413,
    field: 'body',
    expected: `at most ${limitBytes} bytes of JSON (MAX_BODY_BYTES); send large tensors as binary data`,
  });
}

/** Missing or wrong API key. */
export function unauthorized(): LlmDeployError {
  return new LlmDeployError('missing or invalid API key', {
    code: 'SERVER_UNAUTHORIZED',
    httpStatus: 401,
    expected: 'header "Authorization: Bearer <key>"',
  });
}

/** No such route (or no such KServe model). */
export function notFound(what: string): LlmDeployError {
  return new LlmDeployError(`${what} not found`, { code: 'SERVER_NOT_FOUND', httpStatus: 404 });
}

/** An OpenAI request names a model this server does not serve. */
export function modelNotFound(given: string, served: string): LlmDeployError {
  return new LlmDeployError(`the model \`${given}\` does not exist`, {
    code: 'SERVER_MODEL_NOT_FOUND',
    httpStatus: 404,
    field: 'model',
    given,
    expected: `"${served}" (or set OPENAI_ANY_MODEL=true)`,
  });
}

/** Too many requests generating at once. */
export function overloaded(limit: number): LlmDeployError {
  return new LlmDeployError('model is overloaded, retry later', {
    code: 'SERVER_OVERLOADED',
    httpStatus: 503,
    expected: `at most ${limit} concurrent requests`,
  });
}

/** The model is still loading, failed to load, or the server is draining. */
export function notReady(reason: string): LlmDeployError {
  return new LlmDeployError(reason, { code: 'SERVER_NOT_READY', httpStatus: 503 });
}

/** A generation ran past `requestTimeoutMs` and was aborted. */
export function requestTimedOut(timeoutMs: number): LlmDeployError {
  return new LlmDeployError(`generation did not finish within ${timeoutMs} ms and was stopped`, {
    code: 'SERVER_TIMEOUT',
    httpStatus: 504,
  });
}

/** The Triton server behind the proxy could not be reached or answered garbage. */
export function upstreamUnavailable(url: string, cause: unknown): LlmDeployError {
  const detail = cause instanceof Error ? (causeCode(cause) ?? cause.message) : String(cause);
  return new LlmDeployError(`Triton server at ${url} is unreachable (${detail})`, {
    code: 'SERVER_UPSTREAM_UNAVAILABLE',
    httpStatus: 503,
    cause,
  });
}

function causeCode(error: Error): string | undefined {
  const inner: unknown = error.cause;
  if (typeof inner === 'object' && inner !== null && 'code' in inner && typeof inner.code === 'string') {
    return inner.code;
  }
  return undefined;
}
