/**
 * The JSON body parser of every route: Fastify's default refuses prototype keys too, but answers
 * "Body is not valid JSON" for them; ours names the key (protocol's parseJsonText).
 * @see https://fastify.dev/docs/latest/Reference/ContentTypeParser/
 */
import type { FastifyInstance } from 'fastify';
import { parseJsonText } from '../protocol/index.js';
import { invalidBody } from './errors.js';

/** Replaces Fastify's `application/json` parser on `app` (routes in scopes with their own parsers keep those). */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) {
      done(invalidBody('empty JSON body', { field: 'body', expected: 'a JSON object' }), undefined);
      return;
    }
    try {
      done(null, parseJsonText(text, 'request'));
    } catch (error) {
      done(error instanceof Error ? error : invalidBody('unreadable JSON body'), undefined);
    }
  });
}
