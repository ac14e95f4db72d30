// Hostile request bodies over a real socket: deep nesting, compression bombs and tensors whose data
// disagrees with their shape are refused with a 4xx in the route family's shape, while /health
// stays fast and the process does not grow by hundreds of MB.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createDeflate, createGzip, type Deflate, type Gzip } from 'node:zlib';
import { MAX_JSON_DEPTH } from '../../src/protocol/index.js';
import { probeHealthDuring } from './support/health-probe.js';
import { makeServer, type TestServer } from './support/make-server.js';

const INFER = '/v2/models/fastertransformer/infer';
const POST_ROUTES = ['/infer', '/generate', '/generate_stream', '/v1/completions', INFER];
/** /health answers in a few ms when the event loop is free; a blocked one took seconds. */
const HEALTH_BOUND_MS = 1500;
const MB = 1024 * 1024;

function errorText(route: string, body: string): string {
  const parsed: unknown = JSON.parse(body);
  assert.ok(typeof parsed === 'object' && parsed !== null && 'error' in parsed, body);
  const error: unknown = parsed.error;
  if (route.startsWith('/v1/')) {
    assert.ok(typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string', body);
    return error.message;
  }
  assert.equal(typeof error, 'string', body);
  return String(error);
}

/** A compressed KServe request whose JSON inflates to about `inflatedBytes`. */
async function compressionBomb(stream: Gzip | Deflate, inflatedBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.write('{"inputs":[{"name":"input_ids","datatype":"UINT32","shape":[1,1],"data":[');
  const block = Buffer.from('1,'.repeat(256 * 1024));
  for (let written = 0; written < inflatedBytes; written += block.length) stream.write(block);
  stream.end('1]}]}');
  await once(stream, 'end');
  return Buffer.concat(chunks);
}

const deepBodies = (depth: number): [string, string][] => [
  ['arrays', '['.repeat(depth) + ']'.repeat(depth)],
  ['objects', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)],
  ['inside a field', `{"instances":${'['.repeat(depth)}"x"${']'.repeat(depth)},"inputs":${'['.repeat(depth)}${']'.repeat(depth)}}`],
];

describe('hostile bodies', () => {
  let test: TestServer;
  let baseUrl: string;
  before(async () => {
    test = await makeServer({}, { tokenDelayMs: -1 });
    baseUrl = await test.server.listen();
  });
  after(() => test.server.close());

  for (const depth of [4_110, 100_000]) {
    it(`${depth} levels of nesting: 400 (TGI 422) naming the limit on every POST route`, async () => {
      for (const route of POST_ROUTES) {
        for (const [shape, payload] of deepBodies(depth)) {
          const response = await test.server.app.inject({
            method: 'POST',
            url: route,
            headers: { 'content-type': 'application/json' },
            payload,
          });
          assert.equal(response.statusCode, route.startsWith('/generate') ? 422 : 400, `${route} ${shape}: ${response.body}`);
          assert.match(errorText(route, response.body), new RegExp(`at most ${MAX_JSON_DEPTH} levels`), `${route} ${shape}`);
        }
      }
    });
  }

  it('a deep JSON header in front of binary tensor data: 400', async () => {
    const header = Buffer.from('['.repeat(10_000) + ']'.repeat(10_000));
    const response = await test.server.app.inject({
      method: 'POST',
      url: INFER,
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      payload: Buffer.concat([header, Buffer.alloc(8)]),
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(errorText(INFER, response.body), /nested too deeply/);
  });

  it('100,000 levels over a socket: /health stays fast', async () => {
    const body = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const route of POST_ROUTES) {
      const result = await probeHealthDuring(baseUrl, { path: route, body });
      assert.ok(result.hostileStatus === 400 || result.hostileStatus === 422, `${route}: ${result.hostileStatus} ${result.hostileBody}`);
      assert.ok(result.worstHealthMs < HEALTH_BOUND_MS, `${route}: /health took ${result.worstHealthMs.toFixed(0)} ms`);
    }
  });

  for (const [encoding, make] of [
    ['gzip', () => createGzip({ level: 9 })],
    ['deflate', () => createDeflate({ level: 9 })],
  ] as const) {
    it(`a small ${encoding} body that inflates to 60 MB: 413 while inflating, /health fast, no RSS jump`, async () => {
      const body = await compressionBomb(make(), 60 * MB);
      assert.ok(body.length < 200 * 1024, `${body.length} compressed bytes`);
      const rssBefore = process.memoryUsage().rss;
      const result = await probeHealthDuring(baseUrl, { path: INFER, headers: { 'content-encoding': encoding }, body });
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      assert.equal(result.hostileStatus, 413, result.hostileBody);
      assert.match(errorText(INFER, result.hostileBody), /too large/);
      assert.ok(result.worstHealthMs < HEALTH_BOUND_MS, `/health took ${result.worstHealthMs.toFixed(0)} ms`);
      assert.ok(rssGrowth < 200 * MB, `RSS grew by ${(rssGrowth / MB).toFixed(0)} MB`);
    });
  }

  it('tensor data that disagrees with its shape: 400 before it is converted', async () => {
    const data = `[${'7,'.repeat(600_000)}7]`;
    const body = `{"inputs":[{"name":"input_ids","datatype":"UINT32","shape":[1,3],"data":[${data}]}]}`;
    const result = await probeHealthDuring(baseUrl, { path: INFER, body });
    assert.equal(result.hostileStatus, 400, result.hostileBody);
    assert.match(errorText(INFER, result.hostileBody), /more than 3 elements/);
    assert.ok(result.worstHealthMs < HEALTH_BOUND_MS, `/health took ${result.worstHealthMs.toFixed(0)} ms`);
    const overflow = await test.server.app.inject({
      method: 'POST',
      url: INFER,
      payload: { inputs: [{ name: 'input_ids', datatype: 'UINT32', shape: [2 ** 31, 2 ** 31, 2 ** 31], data: [1] }] },
    });
    assert.equal(overflow.statusCode, 400, overflow.body);
    assert.match(errorText(INFER, overflow.body), /too many elements/);
  });

  it('KServe limits: JSON past bodyLimitBytes and bodies past binaryBodyLimitBytes are 413s naming their limit', async () => {
    const small = await makeServer({ bodyLimitBytes: 2048, binaryBodyLimitBytes: 8192 });
    const post = (payload: Buffer, headers: Record<string, string> = {}) =>
      small.server.app.inject({ method: 'POST', url: INFER, headers: { 'content-type': 'application/octet-stream', ...headers }, payload });
    const json = Buffer.from(`{"inputs":[{"name":"x","datatype":"UINT8","shape":[3000],"data":[${'1,'.repeat(2999)}1]}]}`);
    const tooMuchJson = await post(json);
    assert.equal(tooMuchJson.statusCode, 413, tooMuchJson.body);
    assert.match(errorText(INFER, tooMuchJson.body), /at most 2048 bytes of JSON/);
    const header = Buffer.from('{"inputs":[{"name":"x","datatype":"UINT8","shape":[6000],"parameters":{"binary_data_size":6000}}]}');
    const binary = await post(Buffer.concat([header, Buffer.alloc(6000)]), { 'inference-header-content-length': String(header.length) });
    assert.notEqual(binary.statusCode, 413, binary.body);
    const tooLarge = await post(Buffer.alloc(9000), { 'inference-header-content-length': '10' });
    assert.equal(tooLarge.statusCode, 413, tooLarge.body);
    assert.match(errorText(INFER, tooLarge.body), /at most 8192 bytes/);
    await small.server.close();
  });

  it('the server still answers afterwards', async () => {
    const response = await test.server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abc'] } });
    assert.deepEqual(response.json(), { predictions: ['cba'] });
  });
});
