/**
 * The one place errors become HTTP responses. Each route family answers in its own protocol's
 * error shape; the status comes from the error (LlmDeployError.httpStatus), never from the route.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LlmDeployError } from '../config/index.js';
import { OVERLOAD_CODES, bodyTooLarge, invalidBody, notFound } from './errors.js';
import { routeFamily, type RouteFamily } from './route-family.js';

/** What the handler needs from the server options. */
export interface ErrorHandlerOptions {
  readonly retryAfterSeconds: number;
  readonly bodyLimitBytes: number;
  readonly predictRoute: string;
}

/** Registers the error and not-found handlers on `app`. */
export function registerErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const known = toKnownError(error, options.bodyLimitBytes);
    if (known === undefined) {
      request.log.error({ err: error }, 'unexpected error');
      return send(reply, request, internalError(), options);
    }
    if (known.httpStatus >= 500) request.log.warn({ code: known.code, err: known }, known.message);
    return send(reply, request, known, options);
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, request, notFound(`route ${request.method} ${request.url.split('?')[0] ?? ''}`), options),
  );
}

function internalError(): LlmDeployError {
  return new LlmDeployError('internal server error (see the server log)', { code: 'SERVER_INTERNAL', httpStatus: 500 });
}

/** Our errors pass through; Fastify's own 4xx (parsing, limits) become ours; the rest is unknown. */
function toKnownError(error: unknown, bodyLimitBytes: number): LlmDeployError | undefined {
  if (LlmDeployError.isInstance(error)) return error;
  if (!isFastifyError(error)) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalidBody('unsupported request content type', {
        field: 'Content-Type',
        expected: 'application/json (or application/octet-stream for KServe v2 binary)',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidBody('empty JSON body', { field: 'body', expected: 'a JSON object' });
    default:
      break;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // JSON syntax errors from the body parser carry statusCode 400
    return new LlmDeployError(`malformed request: ${error.message}`, { code: 'SERVER_BODY_INVALID', httpStatus: status });
  }
  return undefined;
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && ('statusCode' in error || 'code' in error);
}

function send(reply: FastifyReply, request: FastifyRequest, error: LlmDeployError, options: ErrorHandlerOptions): FastifyReply {
  const family = routeFamily(request.url, options.predictRoute);
  const overload = OVERLOAD_CODES.has(error.code);
  let status = error.httpStatus;
  if (overload) status = family === 'tgi' || family === 'openai' ? 429 : 503;
  else if (family === 'tgi' && (status === 400 || status === 413)) status = status === 400 ? 422 : 413;
  if (overload || status === 503) reply.header('retry-after', String(options.retryAfterSeconds));
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(family, error, status));
}

/** The error body each protocol's clients expect. */
export function errorBody(family: RouteFamily, error: LlmDeployError, status: number): unknown {
  switch (family) {
    case 'openai':
      return {
        error: {
          message: error.message,
          type: openAiErrorType(status),
          param: error.field ?? null,
          code: error.code.toLowerCase(),
        },
      };
    case 'tgi':
      return { error: error.message, error_type: tgiErrorType(status, error) };
    case 'kserve':
    case 'vertex':
    case 'own':
      return { error: error.message };
    default: {
      const never: never = family;
      return never;
    }
  }
}

function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 404) return 'not_found_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function tgiErrorType(status: number, error: LlmDeployError): string {
  if (OVERLOAD_CODES.has(error.code)) return 'overloaded';
  if (status === 422 || status === 413) return 'validation';
  if (status === 503) return 'unhealthy';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'generation';
  return 'client_error';
}
