/**
 * API-key check: `Authorization: Bearer <key>`, compared in constant time on SHA-256 digests (so
 * neither the content nor the length of the key leaks through timing). The key is never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { unauthorized } from './errors.js';

/** Options for {@link registerApiKeyCheck}. */
export interface ApiKeyOptions {
  readonly apiKey: string;
  /** Exact paths that need no key (health probes, metrics); GET `/` and `/ui*` never need one. */
  readonly exemptPaths: readonly string[];
  /** Path prefixes that need no key (`/v2/health/`). */
  readonly exemptPrefixes: readonly string[];
}

/** Adds an onRequest hook that answers 401 unless the request carries the key. */
export function registerApiKeyCheck(app: FastifyInstance, options: ApiKeyOptions): void {
  const expected = digest(options.apiKey);
  const exempt = new Set(options.exemptPaths);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (exempt.has(path) || options.exemptPrefixes.some((prefix) => path.startsWith(prefix))) return;
    // GET / only redirects to the page; POST / is TGI's compat route and needs the key
    if ((path === '/' || path.startsWith('/ui')) && request.method === 'GET') return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1]?.trim() ?? ''), expected)) throw unauthorized();
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
