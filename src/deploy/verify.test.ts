import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { formatDifferences, jsonDifferences, verifyDeployment } from './verify.js';

describe('jsonDifferences', () => {
  it('is empty for equal values, whatever the key order', () => {
    assert.deepEqual(jsonDifferences({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] }), []);
  });

  it('names every differing path', () => {
    const differences = jsonDifferences({ predictions: ['one', 'two'], extra: 1 }, { predictions: ['one', 'too', 'three'] });
    assert.deepEqual(differences, [
      { path: '$.predictions[1]', expected: 'two', actual: 'too' },
      { path: '$.predictions[2]', expected: '(absent)', actual: 'three' },
      { path: '$.extra', expected: 1, actual: '(missing)' },
    ]);
    assert.match(formatDifferences(differences), /\$\.predictions\[1\]: expected "two", got "too"/);
  });

  it('tells numbers from strings', () => {
    assert.equal(jsonDifferences({ a: 1 }, { a: '1' }).length, 1);
  });
});

describe('verifyDeployment', () => {
  let server: Server;
  let url = '';
  const received: unknown[] = [];

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url !== '/infer') {
          response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
          return;
        }
        received.push(JSON.parse(body));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions":["one thousand two hundred five"]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the payload to /infer and reports equality', async () => {
    const payload = { instances: ['number to words: 1205'] };
    const differences = await verifyDeployment({ url, payload, expected: { predictions: ['one thousand two hundred five'] } });
    assert.deepEqual(differences, []);
    assert.deepEqual(received.at(-1), payload);
  });

  it('reports a different reply', async () => {
    const differences = await verifyDeployment({ url: `${url}/`, payload: { instances: ['x'] }, expected: { predictions: ['twelve'] } });
    assert.deepEqual(differences, [{ path: '$.predictions[0]', expected: 'twelve', actual: 'one thousand two hundred five' }]);
  });

  it('fails clearly when nothing answers', async () => {
    await assert.rejects(
      verifyDeployment({ url: 'http://127.0.0.1:1', payload: {}, expected: {}, timeoutMs: 2000 }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_VERIFY_CALL_FAILED',
    );
  });
});
