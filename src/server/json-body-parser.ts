/**
 * The JSON body parser of every JSON route: Fastify's own parser (prototype-poisoning checks
 * included), behind a linear depth pre-scan so 100,000 levels of `[` are a 400 naming the limit,
 * not a stack overflow somewhere after parsing. `getDefaultJsonParser`:
 * https://fastify.dev/docs/latest/Reference/ContentTypeParser/#getdefaultjsonparser
 */
import type { FastifyInstance } from 'fastify';
import { jsonDepthOverflow, jsonTooDeep, MAX_JSON_DEPTH } from '../protocol/index.js';

/** Replaces the `application/json` parser of `app` (and of every scope that keeps it). */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const { onProtoPoisoning, onConstructorPoisoning } = app.initialConfig;
  const parseJson = app.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const offset = jsonDepthOverflow(text, MAX_JSON_DEPTH);
    if (offset === -1) parseJson(request, text, done);
    else done(jsonTooDeep('request', { offset, maxDepth: MAX_JSON_DEPTH }), undefined);
  });
}
