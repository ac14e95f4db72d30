/**
 * Server-sent events over a Fastify reply: headers set before the stream opens, one `data:` line
 * per event, keep-alive comments while the model thinks, and a `closed` flag once the client left.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { LlmDeployError } from '../config/index.js';
import { SSE_HEADERS, errorBody, formatSse, formatSseComment } from '../protocol/index.js';

/** An open event stream. */
export interface EventStream {
  /** Writes `data: <json>` (or the string as is, e.g. `[DONE]`). */
  send(data: unknown): void;
  end(): void;
  readonly closed: boolean;
}

/** Options for {@link openEventStream}. */
export interface EventStreamOptions {
  /** Milliseconds between keep-alive comment lines. */
  readonly keepAliveMs?: number;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends the response headers and returns the stream to write events into. */
export function openEventStream(reply: FastifyReply, options: EventStreamOptions = {}): EventStream {
  const body = new PassThrough();
  let closed = false;
  const keepAlive = setInterval(() => {
    if (!closed) body.write(formatSseComment());
  }, options.keepAliveMs ?? 15_000);
  keepAlive.unref();
  const finish = (): void => {
    closed = true;
    clearInterval(keepAlive);
  };
  reply.raw.once('close', () => {
    finish();
    if (!body.writableEnded) body.destroy();
  });
  reply
    .code(200)
    .headers({ ...SSE_HEADERS, ...options.headers })
    .send(body);
  return {
    send(data) {
      if (closed) return;
      body.write(formatSse(data));
    },
    end() {
      if (closed) return;
      finish();
      body.end();
    },
    get closed() {
      return closed;
    },
  };
}

/** The error event of a stream that failed after it opened (the status is already 200). */
export function streamError(reply: FastifyReply, error: unknown, family: 'tgi' | 'openai' | 'kserve'): unknown {
  if (!LlmDeployError.isInstance(error)) reply.log.error({ err: error }, 'stream failed');
  return errorBody(family, error);
}
