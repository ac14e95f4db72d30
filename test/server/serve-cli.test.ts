// `llm-deploy serve` as a user runs it: a child process on the tiny fixture, probes before and after
// the model loads, one prediction, then SIGTERM and a clean exit; plus the flag/env mapping.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { serveSettingsFromFlags } from '../../src/cli/commands/serve.js';
import { main } from '../../src/cli/main.js';
import { LlmDeployError } from '../../src/config/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('llm-deploy serve (child process)', () => {
  it('listens, becomes ready, predicts, and drains on SIGTERM with exit code 0', async () => {
    const child = spawn(
      process.execPath,
      ['bin/llm-deploy.js', 'serve', '--model', 'test/fixtures/t5-tiny-relu', '--host', '127.0.0.1', '--port', '0', '--threads', '1'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const logs: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry['url'] === 'string') resolve(entry['url']);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
    let ready = await fetch(`${url}/health/ready`);
    for (let tries = 0; ready.status !== 200 && tries < 150; tries += 1) {
      assert.equal(ready.status, 503);
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await fetch(`${url}/health/ready`);
    }
    assert.equal(ready.status, 200);
    const response = await fetch(`${url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: ['x'] }),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { predictions: string[] }).predictions.length, 1);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.ok(logs.some((entry) => entry['msg'] === 'stopped' && entry['drained'] === true));
    assert.ok(
      logs.every((entry) => typeof entry['level'] === 'number'),
      'every stdout line is a pino JSON record',
    );
  });

  it('fails with exit code 2 and a clear message for a bad flag', async () => {
    let stderr = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stderr += chunk.toString();
        done();
      },
    });
    const code = await main(['node', 'llm-deploy', 'serve', '--model', 'test/fixtures/t5-tiny-relu', '--port', 'eighty'], {
      stderr: sink,
      stdout: sink,
      env: {},
    });
    assert.equal(code, 2);
    assert.match(stderr, /flag --port: AIP_HTTP_PORT: invalid value \(given "eighty"; expected an integer from 0 to 65535\)/);
  });
});

describe('serveSettingsFromFlags', () => {
  it('takes flags first, then the Vertex AI and plain environment', () => {
    const env = {
      AIP_HTTP_PORT: '8080',
      PORT: '9000',
      AIP_STORAGE_URI: 'gs://bucket/model',
      MODEL_SOURCE_PATH: '/models/x',
      AIP_PREDICT_ROUTE: '/predict',
      AIP_HEALTH_ROUTE: '/healthz',
      HOST: '10.0.0.1',
    };
    const fromEnv = serveSettingsFromFlags({}, env);
    assert.equal(fromEnv.server.port, 8080);
    assert.equal(fromEnv.server.host, '10.0.0.1');
    assert.equal(fromEnv.modelSource, 'gs://bucket/model');
    assert.equal(fromEnv.server.predictRoute, '/predict');
    assert.equal(fromEnv.server.healthRoute, '/healthz');
    const fromFlags = serveSettingsFromFlags(
      { port: '7000', host: '127.0.0.1', model: 'file:///m', maxNewTokens: '64', quantize: 'int8' },
      env,
    );
    assert.equal(fromFlags.server.port, 7000);
    assert.equal(fromFlags.server.host, '127.0.0.1');
    assert.equal(fromFlags.modelSource, 'file:///m');
    assert.equal(fromFlags.server.maxNewTokensCap, 64);
    assert.equal(fromFlags.engine.maxNewTokensLimit, 64);
    assert.equal(fromFlags.engine.quantize, 'int8');
    assert.equal(serveSettingsFromFlags({}, { PORT: '9000' }).server.port, 9000);
  });

  it('falls back to the bundled demo model; the fastertransformer backend defaults to the local Triton port and refuses a bad URL', () => {
    assert.match(serveSettingsFromFlags({}, {}).modelSource, /models\/demo-t5$/);
    assert.equal(serveSettingsFromFlags({ backend: 'fastertransformer' }, {}).server.tritonUrl, 'http://127.0.0.1:8000');
    assert.throws(
      () => serveSettingsFromFlags({ backend: 'fastertransformer', tritonUrl: 'localhost:8000' }, {}),
      (error: unknown) =>
        LlmDeployError.isInstance(error) && error.httpStatus === 400 && /flag --triton-url: TRITON_URL/.test(String(error)),
    );
    assert.equal(
      serveSettingsFromFlags({ backend: 'fastertransformer', tritonUrl: 'http://10.1.2.3:8000' }, {}).server.tritonUrl,
      'http://10.1.2.3:8000',
    );
  });

  it('reads the limits, the API key and the queue from the environment the manifests set', () => {
    const settings = serveSettingsFromFlags(
      {},
      { API_KEY: 'k3y', MAX_BODY_BYTES: '4096', MAX_QUEUE: '9', MAX_NEW_TOKENS_CAP: '33', DRAIN_TIMEOUT_MS: '1000' },
    );
    assert.equal(settings.server.apiKey, 'k3y');
    assert.equal(settings.server.bodyLimitBytes, 4096);
    assert.equal(settings.engine.maxQueue, 9);
    assert.equal(settings.engine.maxNewTokensLimit, 33);
    assert.equal(settings.server.maxNewTokensCap, 33);
    assert.equal(settings.server.drainTimeoutMs, 1000);
  });

  it('reads the request time and connection limits, with their defaults', () => {
    const settings = serveSettingsFromFlags({}, { BODY_TIMEOUT_MS: '45000', HEADERS_TIMEOUT_MS: '5000', MAX_CONNECTIONS: '900' });
    assert.equal(settings.server.bodyTimeoutMs, 45000);
    assert.equal(settings.server.headersTimeoutMs, 5000);
    assert.equal(settings.server.maxConnections, 900);
    const defaults = serveSettingsFromFlags({}, {}).server;
    assert.deepEqual([defaults.bodyTimeoutMs, defaults.headersTimeoutMs, defaults.maxConnections], [30000, 10000, 256]);
  });
});
