// `serve` start-up failures and shutdown edges: SIGTERM while the model is stuck loading, a second
// signal with requests in flight, a busy port, an unresolvable host and a model path that does not exist.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from '../../src/cli/context.js';
import { serveUntilSignal } from '../../src/cli/serve-lifecycle.js';
import { createServer } from '../../src/server/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { TestBackend } from './support/test-backend.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 't5-tiny-relu');

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly logs: string;
  readonly stderr: string;
}

/** Starts `serve` and calls `onListening(child)` once its URL is logged; resolves when it exits (killed after `capMs`). */
function serve(
  args: readonly string[],
  onListening: (child: ReturnType<typeof spawn>) => void,
  capMs = 60_000,
  env: Readonly<Record<string, string>> = {},
): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--', 'bin/llm-deploy.js', 'serve', '--host', '127.0.0.1', '--threads', '1', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let logs = '';
    let stderr = '';
    const cap = setTimeout(() => child.kill('SIGKILL'), capMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs += `${line}\n`;
      if (line.includes('"listening; loading the model"')) onListening(child);
    });
    child.on('close', (code, signal) => {
      clearTimeout(cap);
      resolve({ code, signal, logs, stderr });
    });
  });
}

function context(): CommandContext & { readonly errors: () => string } {
  let stderr = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stderr += chunk.toString();
      done();
    },
  });
  return { stdin: new PassThrough(), stdout: sink, stderr: sink, env: {}, setExitCode: () => undefined, errors: () => stderr };
}

describe('serve: start-up failures and shutdown edges', () => {
  it('SIGTERM while the model is still loading (its bucket never answers) ends the process within seconds, non-zero, with a log line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-stall-'));
    // a Cloud Storage endpoint that accepts connections and never answers: the load stays pending
    const held: Socket[] = [];
    const stall = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const address = stall.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    let signalledAt = 0;
    const exit = await serve(
      ['--model', 'gs://stalled-bucket/m', '--port', '0'],
      (child) => {
        setTimeout(() => {
          signalledAt = Date.now();
          child.kill('SIGTERM');
        }, 1000);
      },
      20_000,
      { STORAGE_EMULATOR_HOST: `127.0.0.1:${port}`, LLM_DEPLOY_CACHE: dir },
    );
    for (const socket of held) socket.destroy();
    stall.close();
    const tookMs = Date.now() - signalledAt;
    await rm(dir, { recursive: true, force: true });
    assert.ok(signalledAt > 0, `never listened: ${exit.stderr}`);
    assert.ok(tookMs < 8000, `took ${tookMs} ms after SIGTERM`);
    assert.ok(exit.code !== 0, `exit ${exit.code} ${exit.signal}`);
    assert.match(exit.logs, /signal while the model is still loading/);
  });

  it('a second SIGTERM answers in-flight requests 503 (and an error event on a stream), logs, and exits 1', async () => {
    let logs = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    const backend = new TestBackend({ tokenDelayMs: 200 });
    const server = createServer({
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 60_000,
      backend,
      tokenizer: charTokenizer(),
      logger: { level: 'info', stream },
    });
    const url = await server.listen();
    await server.modelLoaded;
    const exitCode = serveUntilSignal(server, context());
    const prompt = 'a prompt that takes the test backend many seconds to reverse';
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const infer = post('/infer', { instances: [prompt] });
    const streamed = post('/generate_stream', { inputs: prompt, parameters: { max_new_tokens: 200 } }).then((response) => response.text());
    for (let tries = 0; server.inFlightCount < 2 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(server.inFlightCount, 2);
    const started = Date.now();
    process.emit('SIGTERM');
    process.emit('SIGTERM');
    const response = await infer;
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { error: string }).error, /shutting down/);
    assert.match(await streamed, /"error":.*shutting down/);
    assert.equal(await exitCode, 1);
    // the generations would run for 12+ s; the forced stop answers at once
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.match(logs, /second signal: answering in-flight requests 503 and exiting/);
    assert.match(logs, /"reason":"shutdown".*"request cancelled"/);
  });

  it('a port in use is exit 2 naming host, port and what to do', async () => {
    const blocker = createTcpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const exit = await serve(['--model', FIXTURE, '--port', String(port)], () => undefined);
    blocker.close();
    assert.equal(exit.code, 2, exit.stderr);
    assert.match(
      exit.stderr,
      new RegExp(`^error: --port: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\): port ${port} is already in use`, 'm'),
    );
    assert.doesNotMatch(exit.stderr, /internal error/);
  });

  it('a host name that does not resolve is exit 2 naming it', async () => {
    const exit = await serve(['--model', FIXTURE, '--port', '0', '--host', 'no-such-host.invalid'], () => undefined);
    assert.equal(exit.code, 2, exit.stderr);
    assert.match(exit.stderr, /^error: --host: cannot listen on no-such-host\.invalid:0 \((ENOTFOUND|EAI_AGAIN)\): the host name/m);
  });

  it('a model path that does not exist is exit 2 naming the path, as for convert', async () => {
    const exit = await serve(['--model', '/nonexistent/model', '--port', '0'], () => undefined);
    assert.equal(exit.code, 2, exit.stderr);
    assert.match(exit.stderr, /\/nonexistent\/model: model directory does not exist/);
  });
});
