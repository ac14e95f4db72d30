// AIP_HEALTH_ROUTE / AIP_PREDICT_ROUTE equal to a built-in route: the server starts, the route keeps its
// built-in behaviour and also answers Vertex's semantics (health: 503 until ready; predict: {"instances"} bodies).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../src/engine/index.js';
import { createServer } from '../../src/server/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { makeServer, reversed } from './support/make-server.js';

describe('AIP routes equal to built-in routes', () => {
  for (const healthRoute of ['/health', '/health/ready', '/metrics', '/v2/health/ready', '/v2/health/live']) {
    it(`AIP_HEALTH_ROUTE=${healthRoute} starts and answers readiness`, async () => {
      let resolveBackend: (backend: Backend) => void = () => undefined;
      const pending = new Promise<Backend>((resolve) => (resolveBackend = resolve));
      const { backend } = await makeServer();
      const server = createServer({ backend: pending, tokenizer: charTokenizer(), logger: false, healthRoute });
      try {
        await server.app.ready();
        const loading = await server.app.inject({ method: 'GET', url: healthRoute });
        assert.equal(loading.statusCode, 503, loading.body);
        resolveBackend(backend);
        await server.modelLoaded;
        const ready = await server.app.inject({ method: 'GET', url: healthRoute });
        assert.equal(ready.statusCode, 200, ready.body);
      } finally {
        await server.close();
      }
    });
  }

  it('AIP_HEALTH_ROUTE=/health keeps its liveness body once ready', async () => {
    const { server } = await makeServer({ healthRoute: '/health' });
    const live = await server.app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual(live.json(), { health: 'ok' });
    await server.close();
  });

  for (const { predictRoute, builtIn, check } of [
    { predictRoute: '/infer', builtIn: { instances: ['abc'] }, check: (body: unknown) => assert.deepEqual(body, { predictions: ['cba'] }) },
    {
      predictRoute: '/generate',
      builtIn: { inputs: 'abc' },
      check: (body: unknown) => assert.deepEqual(body, { generated_text: 'cba' }),
    },
    { predictRoute: '/', builtIn: { inputs: 'abc' }, check: (body: unknown) => assert.ok(Array.isArray(body), JSON.stringify(body)) },
    {
      predictRoute: '/v1/completions',
      builtIn: { model: 'test', prompt: 'abc' },
      check: (body: unknown) => assert.match(JSON.stringify(body), /"text":"cba"/),
    },
  ]) {
    it(`AIP_PREDICT_ROUTE=${predictRoute} starts, serves Vertex bodies and its own`, async () => {
      const { server } = await makeServer({ predictRoute, openAiAnyModel: true });
      try {
        const vertex = await server.app.inject({ method: 'POST', url: predictRoute, payload: { instances: ['hello'] } });
        assert.equal(vertex.statusCode, 200, vertex.body);
        assert.deepEqual(vertex.json(), { predictions: [reversed('hello')] });
        const own = await server.app.inject({ method: 'POST', url: predictRoute, payload: builtIn });
        assert.equal(own.statusCode, 200, own.body);
        check(own.json());
      } finally {
        await server.close();
      }
    });
  }
});
