// Errors say the truth: values shown as given, forbidden keys named, Fastify's and Node's own
// refusals in each route family's error shape, and settings too small for the arithmetic refused.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LlmDeployServer } from '../../src/server/index.js';
import { makeServer } from './support/make-server.js';

/** One route of each family, with a valid body to build on. */
const FAMILIES = [
  { family: 'vertex', url: '/infer', body: { instances: ['a'] } },
  { family: 'tgi', url: '/generate', body: { inputs: 'a' } },
  { family: 'openai', url: '/v1/completions', body: { prompt: 'a' } },
  { family: 'kserve', url: '/v2/models/fastertransformer/infer', body: { inputs: [] } },
] as const;

type Family = (typeof FAMILIES)[number]['family'];

/** The error text of a body in the family's shape; fails when the shape is not the family's. */
function errorText(family: Family, body: unknown): string {
  assert.ok(typeof body === 'object' && body !== null, `not a JSON object: ${JSON.stringify(body)}`);
  if (family === 'openai') {
    assert.ok('error' in body && typeof body.error === 'object' && body.error !== null, JSON.stringify(body));
    const error = body.error;
    assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type'], JSON.stringify(body));
    assert.ok('message' in error && typeof error.message === 'string');
    return error.message;
  }
  const keys = family === 'tgi' ? ['error', 'error_type'] : ['error'];
  assert.deepEqual(Object.keys(body).sort(), keys, JSON.stringify(body));
  assert.ok('error' in body && typeof body.error === 'string');
  return body.error;
}

/** Status a caller's 400 gets in the family (TGI answers validation errors with 422). */
function badRequestStatus(family: Family): number {
  return family === 'tgi' ? 422 : 400;
}

let server: LlmDeployServer;

before(async () => {
  ({ server } = await makeServer({ bodyLimitBytes: 4096, binaryBodyLimitBytes: 4096 }));
});

after(async () => {
  await server.close();
});

async function post(url: string, payload: string, contentType = 'application/json'): Promise<{ status: number; body: unknown }> {
  const response = await server.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
  return { status: response.statusCode, body: response.json() };
}

describe('a value JSON cannot hold is shown as what it became', () => {
  const cases = [
    { url: '/infer', family: 'vertex', payload: '{"instances":["a"],"parameters":{"temperature":1e999}}' },
    { url: '/generate', family: 'tgi', payload: '{"inputs":"a","parameters":{"temperature":1e999}}' },
    { url: '/v1/completions', family: 'openai', payload: '{"prompt":"a","temperature":-1e999}' },
  ] as const;
  for (const { url, family, payload } of cases) {
    it(`${url}: 1e999 is reported as Infinity, not null`, async () => {
      const { status, body } = await post(url, payload);
      assert.equal(status, badRequestStatus(family));
      const text = errorText(family, body);
      assert.match(text, /temperature/);
      assert.match(text, /Infinity/, text);
      assert.doesNotMatch(text, /given null/, text);
    });
  }
});

describe('prototype keys are named, not called invalid JSON', () => {
  for (const { family, url, body } of FAMILIES) {
    it(`${url}: "__proto__" is a 400 naming the key`, async () => {
      const payload = JSON.stringify(body).replace(/^\{/, '{"__proto__":{"polluted":true},');
      const response = await post(url, payload);
      assert.equal(response.status, badRequestStatus(family));
      const text = errorText(family, response.body);
      assert.match(text, /"__proto__"/, text);
      assert.match(text, /not allowed/, text);
      assert.doesNotMatch(text, /not valid JSON/, text);
      assert.equal(Reflect.get({}, 'polluted'), undefined);
    });
  }

  it('/infer: a nested "constructor.prototype" is named with its path', async () => {
    const response = await post('/infer', '{"instances":["a"],"parameters":{"constructor":{"prototype":{"x":1}}}}');
    assert.equal(response.status, 400);
    const text = errorText('vertex', response.body);
    assert.match(text, /parameters\.constructor\.prototype/, text);
    assert.match(text, /not allowed/, text);
  });

  it('keys that only look alike pass through to the schema', async () => {
    const response = await post('/infer', '{"instances":["a"],"parameters":{"constructor":1}}');
    assert.equal(response.status, 400);
    assert.match(errorText('vertex', response.body), /unknown field/);
  });
});

describe("Fastify's own refusals come in the route family's shape", () => {
  for (const { family, url } of FAMILIES) {
    it(`${url}: malformed JSON`, async () => {
      const response = await post(url, '{"a":');
      assert.equal(response.status, badRequestStatus(family));
      assert.match(errorText(family, response.body), /JSON/);
    });

    it(`${url}: an empty JSON body`, async () => {
      const response = await post(url, '');
      assert.equal(response.status, badRequestStatus(family));
      errorText(family, response.body);
    });

    it(`${url}: a body over the limit is 413`, async () => {
      const response = await post(url, JSON.stringify({ pad: 'x'.repeat(8192) }));
      assert.equal(response.status, 413);
      assert.match(errorText(family, response.body), /too large/);
    });
  }

  for (const { family, url } of FAMILIES.filter((entry) => entry.family !== 'kserve')) {
    it(`${url}: an unsupported media type is 415`, async () => {
      const response = await post(url, '<a/>', 'application/xml');
      assert.equal(response.status, 415);
      assert.match(errorText(family, response.body), /content type/);
    });
  }
});

/** Sends raw bytes over a socket and returns the raw answer. */
async function rawExchange(address: string, request: string): Promise<string> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', (error) => (answer === '' ? reject(error) : resolve(answer)));
    socket.on('close', () => resolve(answer));
    socket.write(request);
  });
}

describe("Node's header overflow (431) comes in the route family's shape", () => {
  let listening: LlmDeployServer;
  let address: string;
  before(async () => {
    ({ server: listening } = await makeServer());
    address = await listening.listen();
  });
  after(async () => {
    await listening.close();
  });

  for (const { family, url } of FAMILIES) {
    it(`${url}: 431 with the family's error body`, async () => {
      // Node's default limit on all headers together is 16 KiB (--max-http-header-size)
      const answer = await rawExchange(address, `POST ${url} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 431 /, answer.slice(0, 200));
      const body: unknown = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      assert.match(errorText(family, body), /header/i);
    });
  }
});

describe('a temperature or repetition penalty so small it breaks the arithmetic is a 400', () => {
  const cases = [
    {
      url: '/infer',
      family: 'vertex',
      body: { instances: ['a'], parameters: { do_sample: true, temperature: 1e-300 } },
      field: 'temperature',
    },
    {
      url: '/infer',
      family: 'vertex',
      body: { instances: ['a'], parameters: { repetition_penalty: 5e-324 } },
      field: 'repetition_penalty',
    },
    { url: '/generate', family: 'tgi', body: { inputs: 'a', parameters: { temperature: 1e-300 } }, field: 'temperature' },
    { url: '/generate', family: 'tgi', body: { inputs: 'a', parameters: { repetition_penalty: 5e-324 } }, field: 'repetition_penalty' },
    { url: '/v1/completions', family: 'openai', body: { prompt: 'a', temperature: 1e-300 }, field: 'temperature' },
    { url: '/v1/completions', family: 'openai', body: { prompt: 'a', repetition_penalty: 5e-324 }, field: 'repetition_penalty' },
  ] as const;
  for (const { url, family, body, field } of cases) {
    it(`${url}: ${field} ${JSON.stringify(body).match(/\d+e-\d+/)?.[0] ?? ''}`, async () => {
      const response = await post(url, JSON.stringify(body));
      assert.equal(response.status, badRequestStatus(family), JSON.stringify(response.body));
      const text = errorText(family, response.body);
      assert.match(text, new RegExp(field), text);
      assert.match(text, /0\.0001/, text);
    });
  }

  it('/v1/completions: temperature 0 still means greedy', async () => {
    const response = await post('/v1/completions', JSON.stringify({ prompt: 'a', temperature: 0 }));
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });
});
