/** `GET /metrics`: Prometheus text format from this server's own registry. */
import type { FastifyInstance } from 'fastify';
import type { ServerRuntime } from '../runtime.js';

/** Registers the metrics route. */
export function registerMetricsRoute(app: FastifyInstance, runtime: ServerRuntime): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await runtime.metrics.render();
    return reply.type(runtime.metrics.contentType).send(text);
  });
}
