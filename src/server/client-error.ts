/**
 * Answers errors Node raises on a connection before a route can (a request not received in time,
 * malformed HTTP) in the route family's error shape, then closes the socket. Node's
 * `server.requestTimeout` answers 408 when a whole request (headers and body) is not received in
 * time; its timer stops once the body is in, so streamed responses are not cut:
 * https://nodejs.org/api/http.html#serverrequesttimeout and
 * https://github.com/nodejs/node/commit/753f3b247a ("the timer is cancelled when the request body is
 * completely received"). Fastify hands these errors to `clientErrorHandler`:
 * https://fastify.dev/docs/latest/Reference/Server/#clienterrorhandler
 */
import { maxHeaderSize, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LlmDeployError } from '../config/index.js';
import { errorResponse } from '../protocol/index.js';
import { clientRequestRefused } from './errors.js';
import { routeFamily, type RouteFamily } from './route-family.js';

/** What the answers need from the server options. */
export interface ClientErrorOptions {
  readonly bodyTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly predictRoute: string;
  readonly healthRoute: string;
  readonly retryAfterSeconds: number;
}

/** A connection error as Node reports it (`code` such as `ERR_HTTP_REQUEST_TIMEOUT`, `HPE_...`). */
export interface ConnectionErrorLike extends Error {
  readonly code?: string;
  /** The bytes Node had read when it refused the request (https://nodejs.org/api/http.html#event-clienterror). */
  readonly rawPacket?: unknown;
}

/** The handler for Fastify's `clientErrorHandler` and the hook that tells it which route a socket is on. */
export interface ClientErrorAnswers {
  readonly handler: (error: ConnectionErrorLike, socket: Socket) => void;
  /** Call from an `onRequest` hook: remembers the request's path and response for its socket. */
  readonly remember: (request: FastifyRequest, reply: FastifyReply) => void;
}

/** A request (headers and body) was not received within the time limits. */
export function requestNotReceived(options: Pick<ClientErrorOptions, 'bodyTimeoutMs' | 'headersTimeoutMs'>): LlmDeployError {
  return new LlmDeployError(`request not received within the time limit; the connection is closed`, {
    code: 'SERVER_REQUEST_TIMEOUT',
    httpStatus: 408,
    expected: `headers within ${options.headersTimeoutMs} ms and the whole request within ${options.bodyTimeoutMs} ms`,
  });
}

function knownError(error: ConnectionErrorLike, options: ClientErrorOptions): LlmDeployError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return requestNotReceived(options);
  return clientRequestRefused(error.code === 'HPE_HEADER_OVERFLOW' ? 'header-overflow' : 'malformed', maxHeaderSize);
}

/**
 * The family of the refused request: the route the socket's request reached, or, before any route
 * did (headers too large, malformed), the path on the request line Node had read; else our own shape.
 */
function familyOf(error: ConnectionErrorLike, url: string | undefined, options: ClientErrorOptions): RouteFamily {
  const head = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 8192).toString('latin1') : '';
  const path = url ?? /^[A-Z]+ (\S+) HTTP\//.exec(head)?.[1];
  return path === undefined ? 'own' : routeFamily(path, options);
}

/**
 * @example const answers = clientErrorAnswers(options); Fastify({ clientErrorHandler: answers.handler })
 */
export function clientErrorAnswers(options: ClientErrorOptions): ClientErrorAnswers {
  // the request in progress on each socket; a socket with none is still sending headers
  const current = new WeakMap<Socket, { readonly url: string; readonly response: ServerResponse }>();
  return {
    remember(request, reply) {
      current.set(request.raw.socket, { url: request.url, response: reply.raw });
    },
    handler(error, socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const inProgress = current.get(socket);
      if (socket.writable && inProgress?.response.headersSent !== true) {
        const family = familyOf(error, inProgress?.url, options);
        const answer = errorResponse(family, knownError(error, options), { retryAfterSeconds: options.retryAfterSeconds });
        const body = JSON.stringify(answer.body);
        const headers = Object.entries({ ...answer.headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' });
        const head = [
          `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
          ...headers.map(([key, value]) => `${key}: ${value}`),
        ];
        socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
      }
      socket.destroy(error);
    },
  };
}
