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

function row(result: CaseResult, all: readonly CaseResult[], bandwidth: { readonly wall: number; readonly cpu: number }): string[] {
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
    'peak RSS MiB',
    'RSS/fp32 w',
    'load s',
    'greedy=fp32',
  ];
  const widths = [9, 15, 8, 12, 12, 7, 11, 12, 18, 14, 6, 13, 12, 7, 11];
  console.log(header.map((cell, index) => pad(cell, widths[index] ?? 8)).join(' '));
  for (const result of input.results)
    console.log(
      row(result, input.results, bandwidth)
        .map((cell, index) => pad(cell, widths[index] ?? 8))
        .join(' '),
    );
  console.log(
    `\nfloor = weight bytes read per step / bandwidth (wall: ${bandwidth.wall.toFixed(2)} GB/s fastest reader; CPU: ${bandwidth.cpu.toFixed(2)} GB per CPU-second of one thread).`,
  );
  console.log('targets: floor/step >= 55%, step/chain <= 1.2x (T5); llama fp32: floor/step >= 70%, 16/1 >= 5x, RSS/fp32 w <= 1.5x.');
  console.log(
    '16/1: aggregate tok/s of 16 concurrent requests / batch-1 tok/s. RSS/fp32 w: peak RSS / fp32 checkpoint bytes, then (peak - RSS before loading) / those bytes. greedy=fp32: common prefix of the 64 greedy tokens with fp32. The machine is shared: compare ratios.',
  );
}
