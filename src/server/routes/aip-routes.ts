/**
 * Vertex's `AIP_HEALTH_ROUTE` and `AIP_PREDICT_ROUTE` may name a built-in route (Vertex deployments of the
 * original image set `AIP_HEALTH_ROUTE=/health`). Such a route is not declared twice (Fastify refuses that):
 * the built-in keeps its behaviour and gains Vertex's semantics through an onRoute hook
 * (https://fastify.dev/docs/latest/Reference/Hooks/#onroute lets a hook change a route's options):
 * a health route answers 503 until the model is ready; a predict route answers `{"instances": [...]}`
 * bodies as Vertex predictions and every other body as before. A path no built-in has is registered as is.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { literalPath } from '../literal-path.js';
import type { ServerRuntime } from '../runtime.js';
import { readinessHandler, requireReady } from './health.js';
import { vertexPredictHandler } from './vertex.js';

/** Call before the built-in routes; then {@link registerAipRoutes} after them. */
export function watchAipRoutes(app: FastifyInstance, runtime: ServerRuntime): { readonly taken: Set<string> } {
  const health = literalPath(runtime.options.healthRoute);
  const predict = literalPath(runtime.options.predictRoute);
  const vertexPredict = vertexPredictHandler(runtime);
  const taken = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const builtIn = route.handler;
    if (route.url === health && methods.includes('GET')) {
      taken.add('GET');
      route.handler = async function (request, reply) {
        await requireReady(runtime);
        return builtIn.call(this, request, reply);
      };
    } else if (route.url === predict && methods.includes('POST')) {
      taken.add('POST');
      route.handler = async function (request, reply) {
        return (isVertexBody(request.body) ? vertexPredict : builtIn).call(this, request, reply);
      };
    }
  });
  return { taken };
}

/** Registers the AIP routes that no built-in route took. */
export function registerAipRoutes(app: FastifyInstance, runtime: ServerRuntime, watched: { readonly taken: Set<string> }): void {
  if (!watched.taken.has('GET')) app.get(literalPath(runtime.options.healthRoute), readinessHandler(runtime));
  if (!watched.taken.has('POST')) app.post(literalPath(runtime.options.predictRoute), vertexPredictHandler(runtime));
}

function isVertexBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body) && 'instances' in body;
}
