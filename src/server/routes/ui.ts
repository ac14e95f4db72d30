/**
 * `GET /ui`: the prompt playground, a static page (HTML + CSS + vanilla JS, no build step) read
 * once at start-up from `ui/assets/` beside this module (`src/server/`, or `dist/server/` where
 * `npm run build` copies them).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServerRuntime } from '../runtime.js';

const assets: readonly { path: string; file: string; type: string }[] = [
  { path: '/ui', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/ui/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/ui/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/ui/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
];

/** Registers the playground routes; `/ui/model.json` tells the page whether to offer its chat mode (503 while loading). */
export function registerUiRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  // only a flag: /ui* needs no API key, so nothing about the model beyond it is said here
  app.get('/ui/model.json', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ chatTemplate: runtime.model().chatTemplate !== undefined }),
  );
  const directory = new URL('../ui/assets/', import.meta.url);
  for (const asset of assets) {
    const body = readFileSync(new URL(asset.file, directory));
    app.get(asset.path, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        // no framing (clickjacking) and no referrer leaving the page:
        // https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/frame-ancestors
        // (X-Frame-Options for browsers without CSP level 2), https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy
        .header(
          'content-security-policy',
          "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        )
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .send(body),
    );
  }
  app.get('/', async (_request, reply) => reply.redirect('/ui'));
}
