/**
 * The one place errors become HTTP responses. Each route family answers in its own protocol's
 * error shape (the protocol module's builders); the status comes from the error
 * (LlmDeployError.httpStatus), never from the route.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LlmDeployError } from '../config/index.js';
import { errorResponse } from '../protocol/index.js';
import { bodyTooLarge, clientRequestRefused, invalidBody, notFound, unsupportedMediaType } from './errors.js';
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
    const known = toKnownError(error, options.bodyLimitBytes, request.headers['content-type']);
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

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (431 header overflow, 408, 400) answered in the
 * route family's error shape, read from the request line in `rawPacket` when it holds one.
 * @see https://nodejs.org/api/http.html#event-clienterror
 * @see https://fastify.dev/docs/latest/Reference/Server/#clienterrorhandler
 */
export function createClientErrorHandler(options: ErrorHandlerOptions): (error: Error, socket: Socket) => void {
  return (error, socket) => {
    // Node adds `code` and `rawPacket` (a Buffer; Fastify's types show its JSON form) to the error
    const code: unknown = Reflect.get(error, 'code');
    const rawPacket: unknown = Reflect.get(error, 'rawPacket');
    if (code === 'ECONNRESET' || socket.destroyed) return;
    const kind = code === 'HPE_HEADER_OVERFLOW' ? 'header-overflow' : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'malformed';
    const head = Buffer.isBuffer(rawPacket) ? rawPacket.subarray(0, 8192).toString('latin1') : '';
    const requestLine = /^[A-Z]+ (\S+) HTTP\//.exec(head);
    const family = requestLine?.[1] === undefined ? 'own' : routeFamily(requestLine[1], options);
    const response = errorResponse(family, clientRequestRefused(kind, maxHeaderSize), { retryAfterSeconds: options.retryAfterSeconds });
    const body = JSON.stringify(response.body);
    const headers = Object.entries({ ...response.headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    if (socket.writable) socket.write(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n${headers}\r\n${body}`);
    socket.destroy(error);
  };
}
