// The JavaScript search over the vocabulary per decode step, measured apart for the load profile.
// Alone: node --import tsx bench/search-costs.ts [--rows 1,16] [--vocab 32128] [--logits realistic|sine] [--json]
import { pathToFileURL } from 'node:url';
import { createDecodeTask, type DecodeTask } from '../src/engine/generation/decode-task.js';
import { logSoftmax } from '../src/engine/generation/log-softmax.js';
import { paramsFromGenerationConfig } from '../src/engine/index.js';
import { defaultGenerationConfig } from '../src/model/index.js';

/** `sine`: every logit within 2 of the max (the worst case for skipping negligible terms); `realistic`: see {@link realisticLogits}. */
export type LogitsKind = 'realistic' | 'sine';

/** Wall and process-CPU ms per call of one piece of work: medians (and ranges) over rounds. */
export interface Timing {
  readonly wall: number;
  readonly cpu: number;
  readonly wallRange: readonly [number, number];
}

const ROUNDS = 7;

// Median of ROUNDS rounds of `repeats` calls each, after one warm-up round.
function timed(repeats: number, work: () => void): Timing {
  for (let index = 0; index < repeats; index++) work();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < repeats; index++) work();
    walls.push((performance.now() - started) / repeats);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000 / repeats);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];
  return { wall: median(walls), cpu: median(cpus), wallRange: [Math.min(...walls), Math.max(...walls)] };
}

/**
 * Logits shaped like a language model's: a handful of candidates a few units apart near the top and the rest of the
 * vocabulary spread 20-40 below them (a seeded sum of uniforms), so a search cannot lean on ties or on a flat row.
 */
export function realisticLogits(rows: number, vocab: number, seed = 1): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const logits = new Float32Array(rows * vocab);
  for (let row = 0; row < rows; row++) {
    const base = row * vocab;
    for (let i = 0; i < vocab; i++) logits[base + i] = -25 + 10 * (uniform() + uniform() + uniform() - 1.5);
    for (let top = 0; top < 5; top++) logits[base + Math.floor(uniform() * vocab)] = 2 + 4 * uniform();
  }
  return logits;
}

function sineLogits(rows: number, vocab: number): Float32Array {
  return new Float32Array(rows * vocab).map((_, index) => Math.sin(index * 0.37));
}

/** ms per step of the JavaScript choices for `rows` greedy rows: argmax only, argmax + log-probability (streaming), a full log-softmax (beams, scores). */
export function searchTimings(rows: number, vocab: number, kind: LogitsKind = 'realistic'): Record<string, Timing> {
  const logits = kind === 'realistic' ? realisticLogits(rows, vocab) : sineLogits(rows, vocab);
  const defaults = paramsFromGenerationConfig(defaultGenerationConfig({ decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 }));
  const params = { ...defaults, maxNewTokens: 1_000_000, minNewTokens: 0 };
  const ids = { decoderStartTokenId: 0, eosTokenId: 1 };
  const tasks = (streaming: boolean): DecodeTask[] =>
    Array.from({ length: rows }, () => createDecodeTask({ params, ids, ...(streaming ? { onToken: () => undefined } : {}) }));
  const greedy = tasks(false);
  const streamed = tasks(true);
  const out = new Float32Array(vocab);
  const repeats = Math.max(5, Math.round(320 / rows));
  return {
    'greedy argmax': timed(repeats, () => greedy.forEach((task, row) => task.advance(logits, row, vocab))),
    'greedy + log-prob (streaming)': timed(repeats, () => streamed.forEach((task, row) => task.advance(logits, row, vocab))),
    'log-softmax (beams, scores)': timed(repeats, () => {
      for (let row = 0; row < rows; row++) logSoftmax(logits.subarray(row * vocab, (row + 1) * vocab), out);
    }),
  };
}

/** Wall ms per step of {@link searchTimings}, as the load profile reports them. */
export function searchCosts(rows: number, vocab: number, kind: LogitsKind = 'realistic'): Record<string, number> {
  return Object.fromEntries(Object.entries(searchTimings(rows, vocab, kind)).map(([name, timing]) => [name, timing.wall]));
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

function main(): void {
  const rowsList = option('--rows', '1,16').split(',').map(Number);
  const vocab = Number(option('--vocab', '32128'));
  const kind = option('--logits', 'realistic') as LogitsKind;
  if (kind !== 'realistic' && kind !== 'sine') throw new Error(`--logits ${String(kind)}: expected realistic or sine`);
  const report = rowsList.map((rows) => ({ rows, vocab, logits: kind, timings: searchTimings(rows, vocab, kind) }));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    for (const { rows, timings } of report)
      for (const [name, { wall, wallRange, cpu }] of Object.entries(timings))
        console.log(
          `rows ${rows} ${kind} ${name}: wall ${wall.toFixed(3)} ms (${wallRange.map((v) => v.toFixed(3)).join('-')}), cpu ${cpu.toFixed(3)} ms per step`,
        );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
