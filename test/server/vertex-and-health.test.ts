// Health, readiness and the Vertex AI predict route over HTTP (app.inject), with the test backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer } from '../../src/server/index.js';
import type { Backend } from '../../src/engine/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { makeServer, reversed, type TestServer } from './support/make-server.js';

const PREDICT_ROUTE = '/v1/endpoints/123/deployedModels/456:predict';
const HEALTH_ROUTE = '/v1/endpoints/123/deployedModels/456';

describe('health routes', () => {
  it('answers /health at once and /health/ready only after the model loaded', async () => {
    let resolveBackend: (backend: Backend) => void = () => undefined;
    const pending = new Promise<Backend>((resolve) => {
      resolveBackend = resolve;
    });
    const { backend } = await makeServer();
    const server = createServer({ backend: pending, tokenizer: charTokenizer(), logger: false, healthRoute: HEALTH_ROUTE });
    try {
      const live = await server.app.inject({ method: 'GET', url: '/health' });
      assert.equal(live.statusCode, 200);
      assert.deepEqual(live.json(), { health: 'ok' });
      const loading = await server.app.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(loading.statusCode, 503);
      assert.match(loading.json().error, /still loading/);
      // Vertex's health route starts with /v1/ like OpenAI's, yet answers Vertex's error shape
      const vertexHealth = await server.app.inject({ method: 'GET', url: HEALTH_ROUTE });
      assert.equal(vertexHealth.statusCode, 503);
      assert.equal(typeof vertexHealth.json().error, 'string', vertexHealth.body);
      const predict = await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['x'] } });
      assert.equal(predict.statusCode, 503);
      resolveBackend(backend);
      await server.modelLoaded;
      for (const url of ['/health/ready', HEALTH_ROUTE]) {
        const ready = await server.app.inject({ method: 'GET', url });
        assert.equal(ready.statusCode, 200, url);
      }
    } finally {
      await server.close();
    }
  });

  it('reports a failed load on readiness', async () => {
    const server = createServer({ backend: Promise.reject(new Error('weights missing')), tokenizer: charTokenizer(), logger: false });
    await assert.rejects(server.modelLoaded);
    const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().error, /failed to load: weights missing/);
    await server.close();
  });

  it('turns readiness off when the backend says so', async () => {
    const { server, backend } = await makeServer();
    backend.ready = false;
    const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { error: 'test backend not ready' });
    await server.close();
  });
});

describe('POST /infer', () => {
  let test: TestServer;
  before(async () => {
    test = await makeServer({ predictRoute: PREDICT_ROUTE, maxInstances: 4, maxInputTokens: 32, maxNewTokensCap: 100 });
  });
  after(() => test.server.close());
  const post = (payload: unknown, url = '/infer') => test.server.app.inject({ method: 'POST', url, payload: payload as object });

  it('answers one prediction per instance, submitted together', async () => {
    const before = test.backend.requests.length;
    const response = await post({ instances: ['hello', 'world!'] });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { predictions: [reversed('hello'), reversed('world!')] });
    assert.equal(test.backend.requests.length - before, 2);
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('serves AIP_PREDICT_ROUTE (with its colon) the same way', async () => {
    const response = await post({ instances: [{ inputs: 'abc' }] }, PREDICT_ROUTE);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { predictions: ['cba'] });
  });

  it('passes parameters or config to the backend, and refuses both at once', async () => {
    for (const key of ['parameters', 'config']) {
      const response = await post({ instances: ['abcdef'], [key]: { max_new_tokens: 3, num_beams: 2 } });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { predictions: ['fed'] });
      const params = test.backend.requests.at(-1)?.params;
      assert.deepEqual([params?.maxNewTokens, params?.numBeams], [3, 2]);
    }
    const both = await post({ instances: ['a'], parameters: {}, config: {} });
    assert.equal(both.statusCode, 400);
    assert.match(both.json().error, /given twice/);
  });

  it("tolerates Vertex's labels and honours TGI-on-Vertex per-instance parameters", async () => {
    const response = await post({
      instances: [{ inputs: 'abcdef', parameters: { max_new_tokens: 2 } }, 'abcdef'],
      parameters: { max_new_tokens: 4 },
      labels: { team: 'nlp' },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { predictions: ['fe', 'fedc'] });
    const capped = await post({ instances: [{ inputs: 'a', parameters: { max_new_tokens: 101 } }] });
    assert.equal(capped.statusCode, 400);
    assert.match(capped.json().error, /instances\[0\]\.parameters\.max_new_tokens/);
  });

  it('returns lists for num_return_sequences > 1 and metrics on request', async () => {
    const response = await post({ instances: ['ab'], parameters: { num_return_sequences: 2, num_beams: 2 } }, '/infer?metrics=true');
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual(body.predictions, [['ba', 'ba']]);
    assert.equal(body.metrics.length, 1);
    assert.equal(body.metrics[0].unit, 'ms');
    assert.match(body.metrics[0].prediction, /^\d+\.\d{5}$/);
    assert.equal(body.metrics[0].input_tokens, 3);
  });

  const badBodies: [string, unknown, RegExp][] = [
    ['no instances', {}, /instances/],
    ['instances not a list', { instances: 'abc' }, /instances/],
    ['empty list', { instances: [] }, /instances/],
    ['number instance', { instances: ['a', 5] }, /instances\[1\]/],
    ['empty instance', { instances: ['a', '  '] }, /instances\[1\]: prompt must not be empty/],
    ['too many instances', { instances: ['a', 'b', 'c', 'd', 'e'] }, /instances: too many instances/],
    [
      'too many tokens',
      { instances: ['x'.repeat(40)] },
      /instances\[0\]: prompt is too long \(given 41 tokens; expected at most 32 tokens\)/,
    ],
    ['max_new_tokens over the cap', { instances: ['a'], parameters: { max_new_tokens: 101 } }, /parameters.max_new_tokens/],
    ['max_length over the cap', { instances: ['a'], config: { max_length: 500 } }, /config.max_length/],
    ['unknown parameter', { instances: ['a'], parameters: { max_tokens: 5 } }, /parameters.max_tokens: unknown field/],
    ['wrong type', { instances: ['a'], parameters: { temperature: 'hot' } }, /parameters.temperature/],
    ['huge number', { instances: ['a'], parameters: { top_k: 1e300 } }, /parameters.top_k/],
    ['negative', { instances: ['a'], parameters: { num_beams: -1 } }, /parameters.num_beams/],
    ['more sequences than beams', { instances: ['a'], parameters: { num_return_sequences: 3 } }, /num_return_sequences/],
    ['array body', [1, 2], /body|invalid/],
  ];
  for (const [name, payload, message] of badBodies) {
    it(`400 for ${name}`, async () => {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, response.body);
      assert.deepEqual(Object.keys(response.json()), ['error']);
      assert.match(response.json().error, message);
    });
  }

  it('400 for malformed JSON, 415 for a wrong content type; 413 past the body limit', async () => {
    const malformed = await test.server.app.inject({
      method: 'POST',
      url: '/infer',
      headers: { 'content-type': 'application/json' },
      payload: '{"instances": [',
    });
    assert.equal(malformed.statusCode, 400);
    assert.ok(malformed.json().error.length > 0);
    const form = await test.server.app.inject({
      method: 'POST',
      url: '/infer',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=b',
    });
    assert.equal(form.statusCode, 415);
    assert.match(form.json().error, /Content-Type/);
    const text = await test.server.app.inject({
      method: 'POST',
      url: '/infer',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    assert.equal(text.statusCode, 400);
    const big = await test.server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['x'.repeat(1_700_000)] } });
    assert.equal(big.statusCode, 413);
    assert.match(big.json().error, /too large/);
  });

  it('404 JSON for unknown routes', async () => {
    const response = await test.server.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(response.statusCode, 404);
    assert.match(response.json().error, /route GET \/nope not found/);
  });
});

describe('input truncation', () => {
  it("keeps the start and </s> when inputTruncation is 'truncate'", async () => {
    const { server, backend } = await makeServer({ maxInputTokens: 5, inputTruncation: 'truncate' });
    const response = await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abcdefgh'] } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { predictions: ['dcba'] });
    assert.deepEqual(backend.requests[0]?.inputIds, [...charTokenizer().encode('abcd').slice(0, 4), 1]);
    await server.close();
  });
});
