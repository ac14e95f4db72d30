/**
 * Triton mode: every `/v2...` request is forwarded unchanged to the Triton server (same KServe v2
 * protocol), and its answer is passed back as is. A Triton that cannot be reached is a 503.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LlmDeployError } from '../../config/index.js';
import { requestTimedOut, upstreamUnavailable } from '../errors.js';

/** Options for {@link registerTritonProxy}. */
export interface TritonProxyOptions {
  readonly tritonUrl: string;
  readonly bodyLimitBytes: number;
  readonly timeoutMs: number;
}

const FORWARDED_REQUEST_HEADERS = ['content-type', 'content-encoding', 'inference-header-content-length', 'x-request-id'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'inference-header-content-length'];

/** Registers the catch-all `/v2` proxy (its own scope: bodies stay raw bytes). */
export function registerTritonProxy(app: FastifyInstance, options: TritonProxyOptions): void {
  const base = options.tritonUrl.replace(/\/+$/, '');
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) => done(null, body));
    const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => forward(base, options, request, reply);
    scope.all('/v2', handler);
    scope.all('/v2/*', handler);
  });
}

async function forward(base: string, options: TritonProxyOptions, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  const body = Buffer.isBuffer(request.body) && request.method !== 'GET' && request.method !== 'HEAD' ? request.body : undefined;
  let response: Response;
  try {
    response = await fetch(`${base}${request.url}`, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body: new Uint8Array(body) }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') throw requestTimedOut(options.timeoutMs);
    throw upstreamUnavailable(base, error);
  }
  let payload: Buffer;
  try {
    payload = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new LlmDeployError(`Triton server at ${base} broke off its answer`, {
      code: 'SERVER_UPSTREAM_UNAVAILABLE',
      httpStatus: 502,
      cause: error,
    });
  }
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) reply.header(name, value);
  }
  return reply.code(response.status).send(payload);
}
