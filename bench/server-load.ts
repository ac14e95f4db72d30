// The server-level load run of the benchmark: `llm-deploy serve` in a child process, N concurrent HTTP clients
// (closed loop: each sends its next request when the last one answered) against `POST /infer?metrics=true`.
// Every request asks for exactly `newTokens` new tokens (`max_new_tokens` = `min_new_tokens`) on a prompt of
// exactly `inputTokens` ids. Reported: tokens/s, latency p50/p99 seen by the clients, the engine's time to first
// token (the `firstTokenMs` that /infer returns with `?metrics=true`: from the request entering the batcher's queue
// to its first token), the server's CPU seconds, and the load average.
// Alone: node --import tsx bench/server-load.ts --model DIR [--clients 1,16] [--rounds 4] [--port 5099] [--json]
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadTokenizer } from '../src/tokenizer/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A T5 SentencePiece vocabulary of 32,100 pieces (t5-small's), shipped with the tests. */
const T5_TOKENIZER_DIR = join(ROOT, 'test', 'fixtures', 't5-vocab-32k');
const T5_TOKENIZER_FILES = ['spiece.model', 'tokenizer_config.json', 'special_tokens_map.json'];

/** What a load run needs. */
export interface ServerLoadOptions {
  readonly modelDir: string;
  readonly clients: readonly number[];
  /** Requests each client sends, one after the other. */
  readonly rounds: number;
  readonly inputTokens: number;
  readonly newTokens: number;
  readonly port: number;
}

/** What one client count measured. */
export interface ServerLoadRun {
  readonly clients: number;
  readonly requests: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly firstTokenMs: { readonly p50: number; readonly p99: number };
  /** CPU seconds the server process used during the run. */
  readonly serverCpuSeconds: number;
  /** 1-minute load average at the end of the run. */
  readonly loadAverage: number;
}

/** The part of a `/infer?metrics=true` answer read here: per instance, `first_token` (ms, a decimal string) and `generated_tokens`. */
const inferResponse = z.object({
  predictions: z.array(z.string()),
  metrics: z.array(z.object({ first_token: z.string(), generated_tokens: z.number() })),
});

/** Gives a benchmark T5 checkpoint (random weights, vocabulary 32128) t5-small's tokenizer, so `serve` can open it. */
export function addT5Tokenizer(modelDir: string): void {
  for (const file of T5_TOKENIZER_FILES) copyFileSync(join(T5_TOKENIZER_DIR, file), join(modelDir, file));
}

// A prompt of exactly `tokens` ids (`</s>` included) under the model's tokenizer.
async function promptOf(modelDir: string, tokens: number): Promise<string> {
  const tokenizer = await loadTokenizer(modelDir);
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'far'];
  let text = 'summarize:';
  for (let index = 0; tokenizer.encode(text).length < tokens; index++) {
    const next = `${text} ${words[index % words.length] as string}`;
    if (tokenizer.encode(next).length <= tokens) text = next;
    else if (index > 10 * tokens) break;
  }
  const length = tokenizer.encode(text).length;
  if (length !== tokens) throw new Error(`could not build a prompt of ${tokens} tokens (got ${length})`);
  return text;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}

// utime + stime of a process in seconds (Linux /proc; clock ticks of 1/100 s).
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server at ${url} did not become ready within ${timeoutMs} ms`);
}

async function infer(url: string, body: string, newTokens: number): Promise<{ latencyMs: number; firstTokenMs: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/infer?metrics=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`/infer answered ${response.status}: ${text.slice(0, 300)}`);
  const latencyMs = performance.now() - started;
  const metrics = inferResponse.parse(JSON.parse(text)).metrics[0];
  if (metrics?.generated_tokens !== newTokens) throw new Error(`/infer generated ${metrics?.generated_tokens} tokens, not ${newTokens}`);
  return { latencyMs, firstTokenMs: Number(metrics.first_token) };
}

interface RunningServer {
  readonly url: string;
  readonly pid: number;
  /** The /infer request body every client sends. */
  readonly body: string;
}

async function loadRun(server: RunningServer, options: ServerLoadOptions, clients: number): Promise<ServerLoadRun> {
  const { url, pid, body } = server;
  const answers: { latencyMs: number; firstTokenMs: number }[] = [];
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let round = 0; round < options.rounds; round++) answers.push(await infer(url, body, options.newTokens));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const latencies = answers.map((answer) => answer.latencyMs);
  const firstTokens = answers.map((answer) => answer.firstTokenMs);
  return {
    clients,
    requests: answers.length,
    seconds,
    tokensPerSecond: (answers.length * options.newTokens) / seconds,
    latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
    firstTokenMs: { p50: percentile(firstTokens, 0.5), p99: percentile(firstTokens, 0.99) },
    serverCpuSeconds: cpuSeconds(pid) - cpuBefore,
    loadAverage: loadavg()[0] ?? Number.NaN,
  };
}

/** Starts `serve` on `options.modelDir`, runs each client count in turn, stops the server. */
export async function runServerLoad(options: ServerLoadOptions): Promise<ServerLoadRun[]> {
  const url = `http://127.0.0.1:${options.port}`;
  const maxBatch = String(Math.max(...options.clients));
  const args = ['bin/llm-deploy.js', 'serve', '--model', options.modelDir, '--host', '127.0.0.1', '--port', String(options.port)];
  const server = spawn(process.execPath, [...args, '--log-level', 'warn', '--max-batch-size', maxBatch], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(url, 300_000);
    const body = JSON.stringify({
      instances: [await promptOf(options.modelDir, options.inputTokens)],
      parameters: { max_new_tokens: options.newTokens, min_new_tokens: options.newTokens },
    });
    await infer(url, body, options.newTokens);
    const runs: ServerLoadRun[] = [];
    const running = { url, pid: server.pid ?? 0, body };
    for (const clients of options.clients) runs.push(await loadRun(running, options, clients));
    return runs;
  } finally {
    server.kill('SIGTERM');
  }
}

/** The load runs as a table; every figure also as a ratio to the first (fewest clients) run. */
export function printServerLoad(runs: readonly ServerLoadRun[], options: Pick<ServerLoadOptions, 'inputTokens' | 'newTokens'>): void {
  const base = runs[0];
  if (base === undefined) return;
  const ratio = (value: number, of: number): string => `${(value / of).toFixed(1)}x`;
  // Tokens per CPU second of the server: what a busy shared machine disturbs least.
  const perCpu = (run: ServerLoadRun): number => (run.requests * options.newTokens) / run.serverCpuSeconds;
  console.log(
    `\nserver load: POST /infer, ${options.inputTokens}-token prompt, exactly ${options.newTokens} new tokens, closed-loop clients. TTFT = the engine's firstTokenMs (queue entry to first token).`,
  );
  console.log(
    'clients  requests  tok/s (ratio)     latency p50/p99 ms (ratio)   TTFT p50/p99 ms (ratio)   server CPU s / wall s  tok/CPU-s (ratio)  load',
  );
  for (const run of runs) {
    const cells = [
      String(run.clients).padEnd(8),
      String(run.requests).padEnd(9),
      `${run.tokensPerSecond.toFixed(0)} (${ratio(run.tokensPerSecond, base.tokensPerSecond)})`.padEnd(17),
      `${run.latencyMs.p50.toFixed(0)}/${run.latencyMs.p99.toFixed(0)} (${ratio(run.latencyMs.p50, base.latencyMs.p50)})`.padEnd(28),
      `${run.firstTokenMs.p50.toFixed(0)}/${run.firstTokenMs.p99.toFixed(0)} (${ratio(run.firstTokenMs.p50, base.firstTokenMs.p50)})`.padEnd(
        25,
      ),
      `${run.serverCpuSeconds.toFixed(1)} / ${run.seconds.toFixed(1)}`.padEnd(22),
      `${perCpu(run).toFixed(0)} (${ratio(perCpu(run), perCpu(base))})`.padEnd(18),
      run.loadAverage.toFixed(1),
    ];
    console.log(cells.join(' '));
  }
  console.log('targets: tok/s at 16 clients >= 10x the batch-1 tok/s of the engine table; TTFT p50 at 16 clients <= 4x that at 1.');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      clients: { type: 'string', default: '1,16' },
      rounds: { type: 'string', default: '4' },
      port: { type: 'string', default: '5099' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.model === undefined) throw new Error('--model DIR is required (a T5 model directory with its tokenizer)');
  const options = {
    modelDir: values.model,
    clients: values.clients.split(',').map(Number),
    rounds: Number(values.rounds),
    inputTokens: 64,
    newTokens: 64,
    port: Number(values.port),
  };
  const runs = await runServerLoad(options);
  if (values.json) console.log(JSON.stringify(runs, null, 2));
  else printServerLoad(runs, options);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
