// Where the peak memory of loading a T5 checkpoint comes from, phase by phase, the way the engine
// loads it (createT5Runtime past 32 MiB: graphs built straight into external data files, then the
// decoder session, then the encoder session). Each phase reports RSS at its end and its own peak
// (VmHWM, reset between phases through /proc/self/clear_refs), with the anonymous (heap,
// onnxruntime's prepacked weights) and file-backed (mapped external data) parts. Writes a random
// checkpoint of the chosen bench shape first, then loads it in a fresh child process.
// Usage: node --import tsx bench/model-load-rss.ts [--model t5-small|t5-base] [--dtype F32|BF16|F16] [--quantize int8] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWeights, parameterCount, readT5Config } from '../src/model/index.js';
import type { FloatDtype } from '../src/model/index.js';
import { buildGraphSetInto } from '../src/engine/graph/graph-set.js';
import { t5GraphParts } from '../src/engine/graph/t5-graphs.js';
import { openGraphSession } from '../src/engine/session/ort.js';
import { BENCH_SHAPES, writeBenchCheckpoint } from './checkpoint.js';

interface Phase {
  readonly phase: string;
  readonly rssMiB: number;
  readonly peakMiB: number;
  readonly anonMiB: number;
  readonly fileMiB: number;
}

interface ChildReport {
  readonly parameters: number;
  readonly phases: readonly Phase[];
}

function snapshot(phase: string): Phase {
  const status = readFileSync('/proc/self/status', 'utf8');
  const mib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  // "5" resets the peak (VmHWM) to the current RSS, so the next snapshot's peak is that phase's own.
  writeFileSync('/proc/self/clear_refs', '5');
  return { phase, rssMiB: mib('VmRSS'), peakMiB: mib('VmHWM'), anonMiB: mib('RssAnon'), fileMiB: mib('RssFile') };
}

async function child(dir: string, quantize: 'none' | 'int8'): Promise<void> {
  const phases = [snapshot('before loading')];
  const config = await readT5Config(dir);
  const weights = await openWeights(dir, config);
  const parameters = parameterCount(weights);
  const graphs = mkdtempSync(join(tmpdir(), 'llm-deploy-rss-graphs-'));
  const { parts, facts } = t5GraphParts(config, weights, { quantize });
  await buildGraphSetInto(graphs, parts, facts);
  weights.close();
  phases.push(snapshot('graphs built into files'));
  const decoder = await openGraphSession(join(graphs, 'decoder.onnx'), { threads: 1, provider: 'cpu', label: 'decoder' });
  phases.push(snapshot('decoder session'));
  const encoder = await openGraphSession(join(graphs, 'encoder.onnx'), { threads: 2, provider: 'cpu', label: 'encoder' });
  phases.push(snapshot('encoder session'));
  rmSync(graphs, { recursive: true, force: true });
  await encoder.close();
  await decoder.close();
  const report: ChildReport = { parameters, phases };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quantize = option(args, '--quantize') === 'int8' ? 'int8' : 'none';
  const childDir = option(args, '--child');
  if (childDir !== undefined) return child(childDir, quantize);
  const shape = BENCH_SHAPES.find((candidate) => candidate.name === (option(args, '--model') ?? 't5-base'));
  if (shape === undefined || shape.config.model_type !== 't5') throw new Error('--model takes t5-small or t5-base');
  const dtype = (option(args, '--dtype') ?? 'F32') as FloatDtype;
  const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-rss-'));
  try {
    await writeBenchCheckpoint(dir, shape, dtype);
    const script = fileURLToPath(import.meta.url);
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', dir, '--quantize', quantize], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
    const report = JSON.parse(result.stdout.trim()) as ChildReport;
    const float32MiB = (report.parameters * 4) / 2 ** 20;
    const baseline = report.phases[0]?.rssMiB ?? 0;
    const peak = Math.max(...report.phases.map((phase) => phase.peakMiB));
    const summary = { model: shape.name, dtype, quantize, float32MiB, baselineMiB: baseline, peakMiB: peak, ...report };
    if (args.includes('--json')) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    console.log(
      `model-load-rss: ${shape.name}, safetensors ${dtype}, engine ${quantize === 'int8' ? 'int8' : 'fp32'}, ${float32MiB.toFixed(0)} MiB of float32 weights`,
    );
    console.log('  phase                      RSS MiB  phase peak  anon  file');
    for (const phase of report.phases) {
      const cells = [phase.rssMiB, phase.peakMiB, phase.anonMiB, phase.fileMiB].map((value) => value.toFixed(0));
      console.log(
        `  ${phase.phase.padEnd(26)} ${cells[0]?.padStart(7)}  ${cells[1]?.padStart(10)}  ${cells[2]?.padStart(4)}  ${cells[3]?.padStart(4)}`,
      );
    }
    console.log(
      `  peak ${peak.toFixed(0)} MiB = ${(peak / float32MiB).toFixed(2)}x the float32 weights; ` +
        `${((peak - baseline) / float32MiB).toFixed(2)}x without the ${baseline.toFixed(0)} MiB before loading`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
