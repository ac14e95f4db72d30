/** `GET /metrics`: Prometheus text format from this server's own registry, then a fronted engine's own metrics. */
import type { FastifyInstance } from 'fastify';
import { prefixEngineMetrics } from '../engine-metrics.js';
import type { ServerRuntime } from '../runtime.js';

/** Registers the metrics route. */
export function registerMetricsRoute(app: FastifyInstance, runtime: ServerRuntime): void {
  app.get('/metrics', async (_request, reply) => {
    const [text, engine] = await Promise.all([runtime.metrics.render(), runtime.backend?.engineMetrics?.()]);
    return reply.type(runtime.metrics.contentType).send(engine === undefined ? text : `${text}${prefixEngineMetrics(engine)}`);
  });
}
