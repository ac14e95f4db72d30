// Property test: random and malformed bodies on every POST route (deeply nested and compressed ones
// included) never produce a 5xx, every error is JSON, and the server stays healthy afterwards.
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { makeServer, type TestServer } from './support/make-server.js';

const RUNS = 1000;
const ROUTES = ['/infer', '/generate', '/generate_stream', '/v1/completions', '/v2/models/fastertransformer/infer'];

const number = fc.oneof(
  fc.integer({ min: -5, max: 100 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, 4294967296),
);
const scalar = fc.oneof(number, fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }));
const prompt = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ maxLength: 12, unit: 'grapheme' }), scalar);
const settingsKeys = [
  'max_new_tokens',
  'max_length',
  'num_beams',
  'do_sample',
  'temperature',
  'top_k',
  'top_p',
  'repetition_penalty',
  'seed',
  'num_return_sequences',
  'details',
  'stop',
  'truncate',
  'best_of',
];
const settings = fc.dictionary(fc.constantFrom(...settingsKeys, 'bogus'), fc.oneof(value, fc.integer({ min: 1, max: 8 })), { maxKeys: 4 });

/** Bodies close to each route's format, so the fuzzer reaches deep validation, not just the first check. */
const nearValid: Record<string, fc.Arbitrary<unknown>> = {
  '/infer': fc.record(
    { instances: fc.oneof(fc.array(prompt, { maxLength: 5 }), value), parameters: settings, config: fc.option(settings) },
    { requiredKeys: [] },
  ),
  '/generate': fc.record({ inputs: prompt, parameters: fc.oneof(settings, value) }, { requiredKeys: [] }),
  '/generate_stream': fc.record({ inputs: prompt, parameters: fc.oneof(settings, value) }, { requiredKeys: [] }),
  '/v1/completions': fc.record(
    {
      prompt: fc.oneof(prompt, fc.array(prompt, { maxLength: 3 })),
      max_tokens: fc.oneof(number, fc.integer({ min: 1, max: 8 })),
      temperature: number,
      n: number,
      stream: fc.boolean(),
      top_p: number,
      stop: value,
    },
    { requiredKeys: [] },
  ),
  '/v2/models/fastertransformer/infer': fc.record(
    {
      id: scalar,
      inputs: fc.array(
        fc.record(
          {
            name: fc.constantFrom(
              'input_ids',
              'sequence_length',
              'max_output_len',
              'runtime_top_k',
              'beam_width',
              'temperature',
              'random_seed',
              'x',
            ),
            datatype: fc.constantFrom('UINT32', 'INT32', 'UINT64', 'FP32', 'FP16', 'BOOL', 'BYTES', 'INT8', 'nope'),
            shape: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }),
            data: fc.oneof(
              fc.array(number, { maxLength: 8 }),
              fc.array(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 4 }), { maxLength: 3 }),
              value,
            ),
            parameters: fc.dictionary(fc.constantFrom('binary_data_size', 'x'), number, { maxKeys: 1 }),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 4 },
      ),
      outputs: fc.array(fc.record({ name: fc.string({ maxLength: 12 }) }), { maxLength: 2 }),
      parameters: fc.dictionary(fc.constantFrom('binary_data_output', 'timeout'), scalar, { maxKeys: 1 }),
    },
    { requiredKeys: [] },
  ),
};

interface FuzzRequest {
  readonly payload: string | Buffer;
  readonly headers: Record<string, string>;
}

/** A near-valid body wrapped in 1..5000 levels of arrays or objects (64 is the limit). */
function deeplyNested(body: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[1,{"x":', '}]']), body)
    .map(([depth, [open, close], inner]) => `${open.repeat(depth)}${JSON.stringify(inner)}${close.repeat(depth)}`);
}

/** A near-valid body (or a small repetitive one that inflates 1000-fold) sent gzip- or deflate-compressed. */
function compressed(body: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzRequest> {
  const text = fc.oneof(
    body.map((inner) => JSON.stringify(inner)),
    fc.integer({ min: 1, max: 2000 }).map((count) => `{"inputs":[{"name":"input_ids","data":[${'1,'.repeat(count * 500)}1]}]}`),
  );
  return fc.tuple(text, fc.constantFrom('gzip', 'deflate')).map(([inner, encoding]) => ({
    payload: encoding === 'gzip' ? gzipSync(inner) : deflateSync(inner),
    headers: { 'content-type': 'application/json', 'content-encoding': encoding },
  }));
}

function requests(route: string): fc.Arbitrary<FuzzRequest> {
  const json = { 'content-type': 'application/json' };
  const near = nearValid[route] ?? value;
  return fc.oneof(
    { weight: 1, arbitrary: deeplyNested(near).map((payload) => ({ payload, headers: json })) },
    { weight: 1, arbitrary: compressed(near) },
    { weight: 5, arbitrary: near.map((body) => ({ payload: JSON.stringify(body), headers: json })) },
    { weight: 2, arbitrary: fc.jsonValue().map((body) => ({ payload: JSON.stringify(body), headers: json })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ payload: text, headers: json })) },
    {
      weight: 1,
      arbitrary: fc.record({
        payload: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
        headers: fc.record(
          {
            'content-type': fc.constantFrom('application/octet-stream', 'text/plain', 'application/json', 'multipart/form-data', 'x/y'),
            'inference-header-content-length': fc.oneof(fc.nat({ max: 80 }).map(String), fc.constantFrom('-1', 'abc', '1e3', '')),
            'content-encoding': fc.constantFrom('gzip', 'deflate', 'identity', 'br'),
          },
          { requiredKeys: ['content-type'] },
        ),
      }),
    },
  );
}

describe('fuzzing the POST routes', () => {
  let test: TestServer;
  before(async () => {
    test = await makeServer({ maxInstances: 4, maxNewTokensCap: 8, maxInputTokens: 64 }, { tokenDelayMs: -1 });
  });
  after(() => test.server.close());

  for (const route of ROUTES) {
    it(`${route}: ${RUNS} random bodies, never a 5xx, always a JSON error`, async () => {
      await fc.assert(
        fc.asyncProperty(requests(route), async (request) => {
          const response = await test.server.app.inject({ method: 'POST', url: route, headers: request.headers, payload: request.payload });
          assert.ok(response.statusCode < 500, `${response.statusCode} for ${String(request.payload).slice(0, 200)}: ${response.body}`);
          if (response.statusCode >= 400) {
            const body: unknown = response.json();
            assert.ok(typeof body === 'object' && body !== null && 'error' in body, response.body);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('the server is still healthy and correct afterwards', async () => {
    const ready = await test.server.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 200);
    const response = await test.server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abc'] } });
    assert.deepEqual(response.json(), { predictions: ['cba'] });
    assert.equal(test.backend.active, 0);
  });
});
