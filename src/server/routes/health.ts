/**
 * Liveness and readiness: `GET /health` answers while the process runs; `GET /health/ready` (and
 * `AIP_HEALTH_ROUTE`) only once the model is loaded and the server is not draining.
 */
import type { FastifyInstance } from 'fastify';
import { notReady } from '../errors.js';
import type { ServerRuntime } from '../runtime.js';

/** Paths that never need the API key (readiness probes cannot send one). */
export function healthPaths(healthRoute: string): string[] {
  return [...new Set(['/health', '/health/ready', healthRoute])];
}

/** Throws 503 unless the model is loaded and the server is not draining. */
export async function requireReady(runtime: ServerRuntime): Promise<void> {
  const readiness = await runtime.readiness();
  if (!readiness.ready) throw notReady(readiness.reason ?? 'not ready');
}

/** Registers the health routes (`AIP_HEALTH_ROUTE` is registered by the AIP routes, after every built-in). */
export function registerHealthRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  app.get('/health', async () => ({ health: 'ok' }));
  app.get('/health/ready', readinessHandler(runtime));
}

/** The readiness answer: 200 `{health, ready}` once ready, else 503. */
export function readinessHandler(runtime: ServerRuntime): () => Promise<{ health: string; ready: boolean }> {
  return async () => {
    await requireReady(runtime);
    return { health: 'ok', ready: true };
  };
}
