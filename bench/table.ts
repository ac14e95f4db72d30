// The benchmark's human-readable table: bandwidth readings, then one row per (model, variant).
import type { BandwidthReading } from './bandwidth.js';
import type { CaseReport } from './decode-case.js';

/** One measured case. */
export interface CaseResult {
  readonly model: string;
  readonly variant: string;
  readonly report: CaseReport;
}

/** Batch-1 floor in ms: weight bytes read per step / best bandwidth. */
export function floorMs(report: CaseReport, gbPerSecond: number): number {
  return (report.weightBytesPerStep / (gbPerSecond * 1e9)) * 1000;
}

/**
 * The most 16 concurrent requests can give over batch 1 on this machine in this run: 16 x the batch-1 step
 * over the time of the same step's weight products at 16 rows (the bare chain, on whichever of 1 or 2 threads
 * was faster) plus each prompt's encode spread over its new tokens. Attention, norms and the search are left
 * out, so the real ratio stays below it.
 */
export function concurrencyBound(report: CaseReport, newTokens: number): number {
  const { rows, oneThreadMs, twoThreadsMs } = report.chainRows;
  const stepOfRowsMs = Math.min(oneThreadMs, twoThreadsMs) + (rows * report.encodePerPromptMs) / newTokens;
  return (rows * report.stepMs) / stepOfRowsMs;
}

/** Length of the common prefix of two token lists. */
export function agreement(a: readonly number[], b: readonly number[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return index;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The floor's bandwidths: fastest wall-clock reader, and fastest per CPU second of one thread. */
export function floorBandwidth(bandwidth: readonly BandwidthReading[]): { readonly wall: number; readonly cpu: number } {
  return {
    wall: Math.max(...bandwidth.map((reading) => reading.gbPerSecond)),
    cpu: Math.max(...bandwidth.map((reading) => reading.cpuGbPerSecond ?? 0)),
  };
}

function row(
  result: CaseResult,
  all: readonly CaseResult[],
  bandwidth: { readonly wall: number; readonly cpu: number },
  newTokens: number,
): string[] {
  const { model, variant, report } = result;
  const floorWall = floorMs(report, bandwidth.wall);
  const floorCpu = floorMs(report, bandwidth.cpu);
  const fp32 = all.find((other) => other.model === model && other.variant === 'fp32');
  const agree =
    variant !== 'fp32' && fp32 ? `${agreement(report.greedyTokens, fp32.report.greedyTokens)}/${report.greedyTokens.length}` : '';
  const first = report.concurrent[0]?.meanFirstTokenMs ?? Number.NaN;
  const last = report.concurrent[report.concurrent.length - 1]?.meanFirstTokenMs ?? Number.NaN;
  return [
    model,
    variant,
    (report.weightBytesPerStep / 1e6).toFixed(0),
    `${report.chainMs.toFixed(1)}/${report.chainCpuMs.toFixed(1)}`,
    `${report.stepMs.toFixed(1)}/${report.stepCpuMs.toFixed(1)}`,
    report.decodeTokensPerSecond.toFixed(1),
    `${((floorWall / report.stepMs) * 100).toFixed(0)}%/${((floorCpu / report.stepCpuMs) * 100).toFixed(0)}%`,
    `${(report.stepMs / report.chainMs).toFixed(2)}x/${(report.stepCpuMs / report.chainCpuMs).toFixed(2)}x`,
    report.concurrent.map((entry) => entry.tokensPerSecond.toFixed(0)).join('/'),
    `${first.toFixed(0)}/${last.toFixed(0)}`,
    `${((report.concurrent[report.concurrent.length - 1]?.tokensPerSecond ?? Number.NaN) / report.decodeTokensPerSecond).toFixed(1)}x`,
    `${concurrencyBound(report, newTokens).toFixed(1)}x`,
    (report.peakRssBytes / 2 ** 20).toFixed(0),
    `${(report.peakRssBytes / report.checkpointBytes).toFixed(2)}x/${((report.peakRssBytes - report.baselineRssBytes) / report.checkpointBytes).toFixed(2)}x`,
    report.loadSeconds.toFixed(1),
    agree,
  ];
}

/** Prints the whole report. */
export function printTable(input: {
  readonly bandwidth: readonly BandwidthReading[];
  readonly results: readonly CaseResult[];
  readonly inputTokens: number;
  readonly newTokens: number;
}): void {
  const bandwidth = floorBandwidth(input.bandwidth);
  console.log('memory bandwidth (wall clock; per CPU second where single-threaded):');
  for (const reading of input.bandwidth) {
    const cpu = reading.cpuGbPerSecond === undefined ? '' : `   ${reading.cpuGbPerSecond.toFixed(2)} GB/CPU-s`;
    console.log(`  ${pad(reading.method, 64)} ${reading.gbPerSecond.toFixed(2)} GB/s${cpu}`);
  }
  console.log(
    `\nbatch-1 decode: ${input.inputTokens}-token prompt, exactly ${input.newTokens} new tokens, greedy. a/b = wall clock / process CPU time.`,
  );
  console.log('aggregate tok/s and TTFT: concurrent requests through the native backend (continuous batcher).');
  const header = [
    'model',
    'variant',
    'MB/step',
    'chain ms',
    'step ms',
    'tok/s',
    'floor/step',
    'step/chain',
    'agg tok/s @1/4/16',
    'TTFT ms @1/16',
    '16/1',
    '16/1 bound',
    'peak RSS MiB',
    'RSS/fp32 w',
    'load s',
    'greedy=fp32',
  ];
  const widths = [9, 15, 8, 12, 12, 7, 11, 12, 18, 14, 6, 11, 13, 12, 7, 11];
  console.log(header.map((cell, index) => pad(cell, widths[index] ?? 8)).join(' '));
  for (const result of input.results)
    console.log(
      row(result, input.results, bandwidth, input.newTokens)
        .map((cell, index) => pad(cell, widths[index] ?? 8))
        .join(' '),
    );
  console.log(
    `\nfloor = weight bytes read per step / bandwidth (wall: ${bandwidth.wall.toFixed(2)} GB/s fastest reader; CPU: ${bandwidth.cpu.toFixed(2)} GB per CPU-second of one thread).`,
  );
  console.log(
    'targets (t5): floor/step >= 85% (fp32) and >= 70% (int8), 16/1 >= 10x, peak RSS <= 1.3x the fp32 weights; llama fp32: floor/step >= 70%, 16/1 >= 5x, RSS/fp32 w <= 1.5x.',
  );
  console.log(
    "16/1 bound: 16 x batch-1 step ms / (weight products of 16 rows: the bare chain on 16 rows, faster of 1 and 2 threads, + one prompt's encode (two encoded together, per prompt) x 16 / new tokens); attention, norms and the search come on top.",
  );
  console.log(
    '16/1: aggregate tok/s of 16 concurrent requests / batch-1 tok/s. RSS/fp32 w: peak RSS / fp32 checkpoint bytes, then (peak - RSS before loading) / those bytes. greedy=fp32: common prefix of the 64 greedy tokens with fp32. The machine is shared: compare ratios.',
  );
}
