/**
 * Liveness and readiness: `GET /health` answers while the process runs; `GET /health/ready` (and
 * `AIP_HEALTH_ROUTE`) only once the model is loaded and the server is not draining.
 */
import type { FastifyInstance } from 'fastify';
import { notReady } from '../errors.js';
import { literalPath } from '../literal-path.js';
import type { ServerRuntime } from '../runtime.js';

/** Paths that never need the API key (readiness probes cannot send one). */
export function healthPaths(healthRoute: string): string[] {
  return [...new Set(['/health', '/health/ready', healthRoute])];
}

/** Registers the health routes. */
export function registerHealthRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  app.get('/health', async () => ({ health: 'ok' }));
  for (const path of new Set(['/health/ready', runtime.options.healthRoute])) {
    app.get(literalPath(path), async () => {
      const readiness = await runtime.readiness();
      if (!readiness.ready) throw notReady(readiness.reason ?? 'not ready');
      return { health: 'ok', ready: true };
    });
  }
}
