// Load test of the predict server (not part of `npm test`): starts `llm-deploy serve` in a child
// process, drives POST /infer with autocannon (32 connections, 30 s by default) over loopback, and
// reports requests/s, latency p50/p99, errors and the server's RSS before, at peak and after.
// Usage: node --import tsx bench/server-load.ts [--model DIR] [--connections 32] [--duration 30] [--max-new-tokens 16] [--json]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'test/fixtures/t5-tiny-relu' },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '30' },
    'max-new-tokens': { type: 'string', default: '16' },
    prompt: { type: 'string', default: 'number to words: 1205' },
    port: { type: 'string', default: '5099' },
    json: { type: 'boolean', default: false },
  },
});

/** The subset of autocannon's result we report. */
const resultSchema = z.object({
  requests: z.object({ average: z.number(), total: z.number() }),
  latency: z.object({ p50: z.number(), p99: z.number(), average: z.number(), max: z.number() }),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  '2xx': z.number(),
  duration: z.number(),
});

type AutocannonRun = (options: Record<string, unknown>) => Promise<unknown>;
// autocannon ships no types; its result is parsed with the schema above
const autocannon = createRequire(import.meta.url)('autocannon') as AutocannonRun;

/** Resident and peak resident set size of a process in MiB (Linux /proc). */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(/\d+/.exec(status.split('\n').find((line) => line.startsWith(name)) ?? '')?.[0] ?? 0) / 1024;
  return { rss: field('VmRSS:'), peak: field('VmHWM:') };
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
  throw new Error(`server at ${url} did not become ready within ${timeoutMs} ms (assert: the model should load)`);
}

async function main(): Promise<void> {
  const url = `http://127.0.0.1:${flags.port}`;
  const server = spawn(
    process.execPath,
    ['bin/llm-deploy.js', 'serve', '--model', flags.model, '--host', '127.0.0.1', '--port', flags.port, '--log-level', 'warn'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const pid = server.pid ?? 0;
  try {
    await waitReady(url, 120_000);
    const body = JSON.stringify({ instances: [flags.prompt], parameters: { max_new_tokens: Number(flags['max-new-tokens']) } });
    const warm = await fetch(`${url}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const sample = await warm.text();
    const before = memoryMiB(pid);
    let peakRss = before.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, memoryMiB(pid).rss)), 200);
    const raw = await autocannon({
      url: `${url}/infer`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: Number(flags.connections),
      duration: Number(flags.duration),
      timeout: 60,
    });
    clearInterval(sampler);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = memoryMiB(pid);
    const result = resultSchema.parse(raw);
    const report = {
      model: flags.model,
      connections: Number(flags.connections),
      durationSeconds: result.duration,
      requestsPerSecond: Number(result.requests.average.toFixed(1)),
      requestsTotal: result.requests.total,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, average: result.latency.average, max: result.latency.max },
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      rssMiB: {
        before: Math.round(before.rss),
        peak: Math.round(peakRss),
        after: Math.round(after.rss),
        lifetimePeak: Math.round(after.peak),
      },
      sampleResponse: sample.slice(0, 200),
    };
    if (flags.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
  } finally {
    server.kill('SIGTERM');
  }
}

function printReport(report: {
  model: string;
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  requestsTotal: number;
  latencyMs: { p50: number; p99: number; average: number; max: number };
  errors: number;
  non2xx: number;
  rssMiB: { before: number; peak: number; after: number; lifetimePeak: number };
  sampleResponse: string;
}): void {
  const rows: [string, string][] = [
    ['model', report.model],
    ['connections x duration', `${report.connections} x ${report.durationSeconds} s`],
    ['requests/s', String(report.requestsPerSecond)],
    ['requests (total)', String(report.requestsTotal)],
    ['latency p50 / p99 / max', `${report.latencyMs.p50} / ${report.latencyMs.p99} / ${report.latencyMs.max} ms`],
    ['errors / non-2xx', `${report.errors} / ${report.non2xx}`],
    [
      'server RSS before / peak / after',
      `${report.rssMiB.before} / ${report.rssMiB.peak} / ${report.rssMiB.after} MiB (peak since start ${report.rssMiB.lifetimePeak} MiB)`,
    ],
    ['sample response', report.sampleResponse],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

await main();
