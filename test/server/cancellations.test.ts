// Cancelled generations (client gone, timeout) get a log line with the request id and a counter by reason.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createServer } from '../../src/server/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { TestBackend } from './support/test-backend.js';

async function slowServer(requestTimeoutMs: number) {
  let logs = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    requestTimeoutMs,
    backend: new TestBackend({ tokenDelayMs: 200 }),
    tokenizer: charTokenizer(),
    logger: { level: 'info', stream },
  });
  const url = await server.listen();
  await server.modelLoaded;
  return { server, url, logs: () => logs };
}

const PROMPT = 'a prompt that takes the test backend many seconds to reverse';

async function cancelledCount(url: string, reason: string): Promise<string | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return new RegExp(`^llm_deploy_requests_cancelled_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1];
}

describe('cancelled requests', () => {
  it('a client that goes away: log line with its request id, counter reason="client"', async () => {
    const { server, url, logs } = await slowServer(60_000);
    const client = new AbortController();
    const request = fetch(`${url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-gone-1' },
      body: JSON.stringify({ instances: [PROMPT] }),
      signal: client.signal,
    }).catch(() => undefined);
    for (let tries = 0; server.inFlightCount < 1 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    client.abort();
    await request;
    for (let tries = 0; server.inFlightCount > 0 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(await cancelledCount(url, 'client'), '1');
    const line = logs()
      .split('\n')
      .find((entry) => entry.includes('"request cancelled"'));
    assert.ok(line !== undefined, logs());
    assert.match(line, /"reqId":"req-gone-1"/);
    assert.match(line, /"reason":"client"/);
    await server.close();
  });

  it('a generation past the request timeout: 504, counter reason="timeout"', async () => {
    const { server, url, logs } = await slowServer(300);
    const response = await fetch(`${url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [PROMPT] }),
    });
    assert.equal(response.status, 504);
    assert.equal(await cancelledCount(url, 'timeout'), '1');
    assert.match(logs(), /"reason":"timeout".*"request cancelled"/);
    await server.close();
  });
});
