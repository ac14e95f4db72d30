/**
 * Inflates a gzip/deflate request body as a stream with a running byte count, refusing it (413)
 * as soon as the inflated size passes the limit: a 60 KB bomb costs the limit, never its 60 MB.
 * Stream zlib runs in libuv's thread pool, so the event loop (and /health) keeps going meanwhile:
 * https://nodejs.org/api/zlib.html#threadpool-usage-and-performance-considerations
 * (`maxOutputLength` would do the counting, but only for the convenience methods:
 * https://nodejs.org/api/zlib.html#class-options).
 */
import { createGunzip, createInflate } from 'node:zlib';
import { bodyTooLarge, invalidBody } from './errors.js';

/** The request encodings Triton accepts, which we accept too. */
export type BodyEncoding = 'gzip' | 'deflate';

/** Options of {@link inflateBody}. */
export interface InflateBodyOptions {
  readonly encoding: BodyEncoding;
  /** Most inflated bytes allowed; one byte more and the inflation stops with a 413. */
  readonly limitBytes: number;
}

/**
 * @example const json = await inflateBody(body, { encoding: 'gzip', limitBytes: 1_572_864 });
 */
export function inflateBody(body: Buffer, options: InflateBodyOptions): Promise<Buffer> {
  const { encoding, limitBytes } = options;
  const inflater = encoding === 'gzip' ? createGunzip() : createInflate();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limitBytes) {
        inflater.destroy();
        reject(bodyTooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    inflater.on('end', () => resolve(Buffer.concat(chunks, total)));
    inflater.on('error', () => reject(invalidBody(`body is not valid ${encoding} data`, { field: 'body' })));
    inflater.end(body);
  });
}
