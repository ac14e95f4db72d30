/**
 * The one place errors become HTTP responses. Each route family answers in its own protocol's
 * error shape (the protocol module's builders); the status comes from the error
 * (LlmDeployError.httpStatus), never from the route.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LlmDeployError } from '../config/index.js';
import { errorResponse } from '../protocol/index.js';
import { bodyTooLarge, invalidBody, notFound, unsupportedMediaType } from './errors.js';
import { routeFamily } from './route-family.js';

/** What the handler needs from the server options. */
export interface ErrorHandlerOptions {
  readonly retryAfterSeconds: number;
  readonly bodyLimitBytes: number;
  readonly predictRoute: string;
  readonly healthRoute: string;
}

/** Registers the error and not-found handlers on `app`. */
export function registerErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    // a route's own limit (KServe v2 binary bodies) is the one that applied
    const known = toKnownError(error, request.routeOptions.bodyLimit ?? options.bodyLimitBytes, request.headers['content-type']);
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
function toKnownError(error: unknown, bodyLimitBytes: number, contentType: string | undefined): LlmDeployError | undefined {
  if (LlmDeployError.isInstance(error)) return error;
  if (!isFastifyError(error)) return undefined;
  // Fastify's codes: https://fastify.dev/docs/latest/Reference/Errors/
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(contentType);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalidBody('request body size does not match Content-Length', { field: 'Content-Length' });
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
  const family = routeFamily(request.url, options);
  const response = errorResponse(family, error, { retryAfterSeconds: options.retryAfterSeconds });
  if (response.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(response.status).headers(response.headers).send(response.body);
}
