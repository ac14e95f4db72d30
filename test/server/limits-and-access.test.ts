// API key, metrics, overload, request timeout, drain and client disconnects (some over a real socket).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { createServer } from '../../src/server/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { makeServer } from './support/make-server.js';
import { TestBackend } from './support/test-backend.js';

const KEY = 'sekret-key-123';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    if (condition()) return;
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('API key', () => {
  it('guards the API routes and leaves health, metrics and /ui open', async () => {
    const { server } = await makeServer({ apiKey: KEY, healthRoute: '/custom/health' });
    const app = server.app;
    for (const url of [
      '/health',
      '/health/ready',
      '/custom/health',
      '/v2/health/live',
      '/v2/health/ready',
      '/metrics',
      '/ui',
      '/ui/app.js',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
    }
    const guarded: [string, string, object?][] = [
      ['POST', '/infer', { instances: ['a'] }],
      ['POST', '/generate', { inputs: 'a' }],
      ['POST', '/v1/completions', { prompt: 'a' }],
      ['POST', '/', { inputs: 'a' }],
      ['GET', '/v1/models/test-model'],
      ['GET', '/v2'],
      ['GET', '/v2/models/fastertransformer'],
    ];
    for (const [method, url, payload] of guarded) {
      const none = await app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}) });
      assert.equal(none.statusCode, 401, url);
      assert.equal(none.headers['www-authenticate'], 'Bearer');
      const wrong = await app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${KEY}x` },
        ...(payload ? { payload } : {}),
      });
      assert.equal(wrong.statusCode, 401, url);
      const right = await app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${KEY}` },
        ...(payload ? { payload } : {}),
      });
      assert.equal(right.statusCode, 200, `${url}: ${right.body}`);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 302);
    const openAi = await app.inject({ method: 'POST', url: '/v1/completions', payload: { prompt: 'a' } });
    assert.equal(openAi.json().error.type, 'authentication_error');
    assert.ok(!JSON.stringify(openAi.json()).includes(KEY));
    await server.close();
  });
});

describe('logs', () => {
  it('are pino JSON lines with a request id, and never contain the API key', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const server = createServer({ apiKey: KEY, backend: new TestBackend(), tokenizer: charTokenizer(), logger: { level: 'info', stream } });
    await server.modelLoaded;
    await server.app.inject({
      method: 'POST',
      url: '/infer',
      headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'trace-123' },
      payload: { instances: ['a'] },
    });
    await server.app.inject({
      method: 'POST',
      url: '/infer',
      headers: { authorization: `Bearer wrong-${KEY}` },
      payload: { instances: ['a'] },
    });
    await server.close();
    const lines = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.some((line) => line['reqId'] === 'trace-123'));
    assert.ok(!logged.includes(KEY), 'the API key appeared in the logs');
  });
});

describe('metrics', () => {
  it('exposes request counts, latency, tokens, time to first token and load time', async () => {
    const { server } = await makeServer();
    await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abc'] } });
    await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: 5 } });
    const response = await server.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    const text = response.body;
    assert.match(text, /llm_deploy_http_requests_total\{route="\/infer",method="POST",status="200"\} 1/);
    assert.match(text, /llm_deploy_http_requests_total\{route="\/infer",method="POST",status="400"\} 1/);
    assert.match(text, /llm_deploy_generated_tokens_total 4/);
    assert.match(text, /llm_deploy_time_to_first_token_seconds_count 1/);
    assert.match(text, /llm_deploy_http_request_duration_seconds_bucket/);
    assert.match(text, /llm_deploy_model_load_seconds \d/);
    assert.match(text, /llm_deploy_queue_depth 0/);
    assert.match(text, /llm_deploy_batch_size \d/);
    await server.close();
  });
});

describe('capacity, timeouts and shutdown', () => {
  it('answers 429 + Retry-After on TGI/OpenAI routes and 503 on Vertex/KServe when over capacity', async () => {
    const test = await makeServer({ maxConcurrentRequests: 1, retryAfterSeconds: 2 }, { tokenDelayMs: 30 });
    const { server } = test;
    const { backend } = test;
    const slow = server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abcdef'] } });
    await waitFor(() => backend.active === 1, 'the generation to start');
    const tgi = await server.app.inject({ method: 'POST', url: '/generate', payload: { inputs: 'a' } });
    assert.equal(tgi.statusCode, 429);
    assert.equal(tgi.headers['retry-after'], '2');
    assert.equal(tgi.json().error_type, 'overloaded');
    const stream = await server.app.inject({ method: 'POST', url: '/generate_stream', payload: { inputs: 'a' } });
    assert.equal(stream.statusCode, 429);
    const openAi = await server.app.inject({ method: 'POST', url: '/v1/completions', payload: { prompt: 'a' } });
    assert.equal(openAi.statusCode, 429);
    assert.equal(openAi.json().error.type, 'rate_limit_error');
    const vertex = await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['a'] } });
    assert.equal(vertex.statusCode, 503);
    assert.equal(vertex.headers['retry-after'], '2');
    assert.equal((await slow).statusCode, 200);
    await server.close();
  });

  it('aborts a generation past requestTimeoutMs with 504', async () => {
    // 100 ms is the shortest REQUEST_TIMEOUT_MS the settings table accepts; ten tokens at 40 ms take 400 ms
    const { server, backend } = await makeServer({ requestTimeoutMs: 100 }, { tokenDelayMs: 40 });
    const response = await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abcdefghij'] } });
    assert.equal(response.statusCode, 504);
    assert.match(response.json().error, /within 100 ms/);
    const tgi = await server.app.inject({ method: 'POST', url: '/generate', payload: { inputs: 'abcdefghij' } });
    assert.equal(tgi.statusCode, 504);
    await sleep(60);
    assert.equal(backend.active, 0);
    await server.close();
  });

  it('drain: readiness 503 at once, in-flight requests finish, then the backend closes', async () => {
    const { server, backend } = await makeServer({ drainTimeoutMs: 5_000 }, { tokenDelayMs: 10 });
    const inFlight = server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abcdef'] } });
    await waitFor(() => backend.active === 1, 'the generation to start');
    const draining = server.drain();
    const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().error, /shutting down/);
    const finished = await inFlight;
    assert.equal(finished.statusCode, 200);
    assert.deepEqual(finished.json(), { predictions: ['fedcba'] });
    assert.deepEqual(await draining, { drained: true });
    assert.equal(backend.closed, true);
  });

  it('drain: requests still running after drainTimeoutMs are aborted', async () => {
    const { server, backend } = await makeServer({ drainTimeoutMs: 30 }, { tokenDelayMs: 50 });
    const inFlight = server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abcdefghij'] } });
    await waitFor(() => backend.active === 1, 'the generation to start');
    assert.deepEqual(await server.drain(), { drained: false });
    assert.equal((await inFlight).statusCode, 503);
    assert.equal(backend.closed, true);
  });
});

describe('over a real socket', () => {
  it('serves requests and cancels the generation of a client that disconnects', async () => {
    const { server, backend } = await makeServer({}, { tokenDelayMs: 25 });
    const base = await server.listen();
    const health = await fetch(`${base}/health`);
    assert.deepEqual(await health.json(), { health: 'ok' });
    const infer = await fetch(`${base}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: ['ab'] }),
    });
    assert.deepEqual(await infer.json(), { predictions: ['ba'] });
    for (const path of ['/infer', '/generate_stream']) {
      const body = path === '/infer' ? { instances: ['x'.repeat(19)] } : { inputs: 'x'.repeat(19) };
      const aborted = new AbortController();
      const request = fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: aborted.signal,
      });
      request.catch(() => undefined);
      await waitFor(() => backend.active === 1, `${path}: the generation to start`);
      aborted.abort();
      await sleep(60);
      assert.equal(backend.active, 0, `${path}: generation still running after the client left`);
    }
    await server.close();
  });

  it('streams SSE events as tokens are generated', async () => {
    const { server } = await makeServer({}, { tokenDelayMs: 40 });
    const base = await server.listen();
    const url = new URL(`${base}/generate_stream`);
    const arrivals: number[] = [];
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        response.on('data', () => arrivals.push(Date.now() - started));
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(JSON.stringify({ inputs: 'abcd' }));
    });
    assert.ok(arrivals.length >= 3, `expected several chunks, got ${arrivals.length}`);
    assert.ok((arrivals[0] ?? 0) < (arrivals.at(-1) ?? 0) - 60, `first event at ${arrivals[0]} ms, last at ${arrivals.at(-1)} ms`);
    await server.close();
  });
});
