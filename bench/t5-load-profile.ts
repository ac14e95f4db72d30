// `node --import tsx bench/t5-load-profile.ts [--rows 1,4,16] [--cache 16,64] [--threads 1] [--json]`: where a
// decode step of the benchmark's t5-small goes under load, per batch size and cache length (bench/t5-profile.ts
// is the batch-1 profile). Each figure is wall /
// process CPU ms: the scheduler's step (native backend, greedy; long minus short generations), the
// runtime's step (feeds, graph, cache append), the graph run alone, onnxruntime's per-operator profile
// grouped by role, the JavaScript search and cache writes, and the encoder run of joining prompts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildT5Graphs, createT5RuntimeFromGraphs, loadNativeBackend, writeGraphSet } from '../src/engine/index.js';
import type { Backend, GenerationRuntime } from '../src/engine/index.js';
import { DecoderCache } from '../src/engine/runtime/decoder-cache.js';
import { openWeights, readT5Config } from '../src/model/index.js';
import type { T5Config } from '../src/model/index.js';
import { bestTimes } from './bandwidth.js';
import { BENCH_SHAPES, writeBenchCheckpoint } from './checkpoint.js';
import { operatorProfile } from './operator-profile.js';
import { searchCosts } from './search-costs.js';

const PROMPT = 64;
const STEPS = 24;

function option(name: string, fallback: string): number[] {
  const index = process.argv.indexOf(name);
  return (index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback).split(',').map(Number);
}

function prompts(rows: number): number[][] {
  return Array.from({ length: rows }, (_, row) =>
    Array.from({ length: PROMPT }, (_, index) => (index === PROMPT - 1 ? 1 : 3 + ((index * 31 + row * 7) % 1000))),
  );
}

// Step feeds of `rows` rows at cache length `cache` (every slot visible), with the names and layouts the runtime feeds.
function stepFeeds(config: T5Config, rows: number, cache: number): Record<string, ort.Tensor> {
  const { numHeads: heads, dKv } = config;
  const float = (dims: number[], value = 0.01): ort.Tensor =>
    new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value), dims);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(rows).fill(3n), [rows]),
    self_bias: float([rows, cache + 1], 0),
    cross_bias: float([rows, PROMPT], 0),
    self_bucket: new ort.Tensor('int64', new BigInt64Array(rows * (cache + 1)).fill(1n), [rows, cache + 1]),
  };
  for (let layer = 0; layer < config.numDecoderLayers; layer++) {
    feeds[`past_key_${layer}`] = float([rows, heads, dKv, cache]);
    feeds[`past_value_${layer}`] = float([rows, heads, cache, dKv]);
    feeds[`cross_key_${layer}`] = float([rows, heads, dKv, PROMPT]);
    feeds[`cross_value_${layer}`] = float([rows, heads, PROMPT, dKv]);
  }
  return feeds;
}

type Times = { wall: number; cpu: number };
const times = (result: { meanWallMs: number; cpuMs: number }): Times => ({ wall: result.meanWallMs, cpu: result.cpuMs });

type Timed = { step: Times; gap: Times; encode: Times };
const zero = (): Times => ({ wall: 0, cpu: 0 });

// The runtime with its steps timed as the scheduler drives them: each step's run, the encoder runs of joining
// prompts, and the rest of the gap from one step's end to the next step's start (the search over the logits, row
// bookkeeping, merges, the event-loop turn); all per step, wall and process CPU.
function timedRuntime(runtime: GenerationRuntime): { runtime: GenerationRuntime; take: () => Timed } {
  let ended: { wall: number; cpu: NodeJS.CpuUsage } | undefined;
  const sums = { step: zero(), gap: zero(), encode: zero(), encodeInGaps: zero(), steps: 0 };
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  // The runtime's own methods stay in place (its states check they came from it); step and encode get timed wrappers.
  const timed = runtime;
  const step = runtime.step.bind(runtime);
  const encode = runtime.encode.bind(runtime);
  timed.step = async (state, tokens) => {
    const started = { wall: performance.now(), cpu: process.cpuUsage() };
    if (ended !== undefined) {
      sums.gap.wall += started.wall - ended.wall;
      sums.gap.cpu += cpuMs(ended.cpu);
    }
    const logits = await step(state, tokens);
    sums.step.wall += performance.now() - started.wall;
    sums.step.cpu += cpuMs(started.cpu);
    sums.steps++;
    ended = { wall: performance.now(), cpu: process.cpuUsage() };
    return logits;
  };
  timed.encode = async (inputIds) => {
    const started = { wall: performance.now(), cpu: process.cpuUsage() };
    const encoded = await encode(inputIds);
    const spent = { wall: performance.now() - started.wall, cpu: cpuMs(started.cpu) };
    for (const sum of ended === undefined ? [sums.encode] : [sums.encode, sums.encodeInGaps]) {
      sum.wall += spent.wall;
      sum.cpu += spent.cpu;
    }
    return encoded;
  };
  const take = (): Timed => {
    const per = (sum: Times): Times => ({ wall: sum.wall / sums.steps, cpu: sum.cpu / sums.steps });
    // Encoder runs between two steps are part of that gap: counted on their own.
    const gap = { wall: sums.gap.wall - sums.encodeInGaps.wall, cpu: sums.gap.cpu - sums.encodeInGaps.cpu };
    const result = { step: per(sums.step), gap: per(gap), encode: per(sums.encode) };
    Object.assign(sums, { step: zero(), gap: zero(), encode: zero(), encodeInGaps: zero(), steps: 0 });
    ended = undefined;
    return result;
  };
  return { runtime: timed, take };
}

// Scheduler steps of `rows` concurrent greedy requests that reach cache length `cache`.
async function schedulerSteps(backend: Backend, timing: ReturnType<typeof timedRuntime>, rows: number, cache: number) {
  timing.take();
  await Promise.all(prompts(rows).map((inputIds) => backend.generate({ inputIds, params: { maxNewTokens: cache, minNewTokens: cache } })));
  return timing.take();
}

// The runtime's own step at cache length `cache`, and the cache writes of one step alone.
async function runtimeStep(runtime: GenerationRuntime, config: T5Config, rows: number, cache: number): Promise<Record<string, Times>> {
  const state = runtime.startDecoding(await runtime.encode(prompts(rows)), { expectedTokens: cache + STEPS + 2 });
  const tokens = new Array<number>(rows).fill(3);
  for (let step = 0; step < cache; step++) await runtime.step(state, tokens);
  const step = times(await bestTimes(STEPS, () => runtime.step(state, tokens)));
  const geometry = { layers: config.numDecoderLayers, heads: config.numHeads, dKv: config.dKv };
  const size = rows * config.numHeads * config.dKv;
  const crossSize = size * PROMPT;
  const empty = Array.from({ length: geometry.layers }, () => new Float32Array(crossSize));
  const cross = {
    rows,
    rowCapacity: rows,
    encoderLength: PROMPT,
    encoderLengths: new Array(rows).fill(PROMPT),
    origins: [],
    keys: empty,
    values: empty,
  };
  const target = new DecoderCache(geometry, cross, { positions: new Array<number>(rows).fill(cache), capacity: cache + 1 });
  const fresh = new Float32Array(size).fill(0.5);
  const append = times(
    await bestTimes(STEPS, () => {
      for (let layer = 0; layer < geometry.layers; layer++) target.append(layer, fresh, fresh);
    }),
  );
  runtime.release(state);
  return { step, append };
}

async function encoderRuns(runtime: GenerationRuntime, rowsList: readonly number[]): Promise<Record<string, Times>> {
  const result: Record<string, Times> = {};
  for (const rows of rowsList) result[`encode ${rows}x${PROMPT}`] = times(await bestTimes(4, () => runtime.encode(prompts(rows))));
  return result;
}

function fmt(value: Times): string {
  return `${value.wall.toFixed(2)}/${value.cpu.toFixed(2)}`;
}

async function main(): Promise<void> {
  const rowsList = option('--rows', '1,4,16');
  const caches = option('--cache', '16,64');
  const [threads = 1] = option('--threads', '1');
  const root = mkdtempSync(join(tmpdir(), 'llm-deploy-t5-profile-'));
  const report: Record<string, unknown>[] = [];
  try {
    const shape = BENCH_SHAPES.find((candidate) => candidate.name === 't5-small');
    if (shape === undefined) throw new Error('impossible: the bench shapes list t5-small');
    const graphsDir = join(root, 'graphs');
    await writeBenchCheckpoint(root, shape);
    const config = await readT5Config(root);
    const weights = await openWeights(root, config);
    const graphs = buildT5Graphs(config, weights, { externalDataThresholdBytes: 32 * 2 ** 20 });
    await writeGraphSet(graphsDir, graphs);
    // The operator profiler takes the decoder as one protobuf, weights inside.
    const inMemory = buildT5Graphs(config, weights, { externalDataThresholdBytes: Infinity });
    const decoderFile = graphs.manifest.graphs.find((graph) => graph.role === 'decoder-step')?.file ?? 'decoder.onnx';
    const decoderModel = Buffer.concat(inMemory.files.find((file) => file.name === decoderFile)?.chunks ?? []);
    weights.close();
    const decoderPath = join(graphsDir, decoderFile);
    const runtime = await createT5RuntimeFromGraphs({ config, graphs: { directory: graphsDir }, threads });
    const timing = timedRuntime(runtime);
    const backend = await loadNativeBackend({ runtime: timing.runtime, settings: { maxBatchSize: Math.max(...rowsList) } });
    report.push({
      threads,
      encoder: Object.fromEntries(Object.entries(await encoderRuns(runtime, rowsList)).map(([k, v]) => [k, fmt(v)])),
    });
    for (const rows of rowsList)
      for (const cache of caches) {
        const feeds = stepFeeds(config, rows, cache);
        const session = await ort.InferenceSession.create(decoderPath, { intraOpNumThreads: threads, interOpNumThreads: 1 });
        await session.run(feeds);
        const graph = times(await bestTimes(STEPS, () => session.run(feeds)));
        await session.release();
        const { step, append } = await runtimeStep(runtime, config, rows, cache);
        const scheduler = await schedulerSteps(backend, timing, rows, cache);
        const operators = await operatorProfile(decoderModel, feeds, 10);
        const search = searchCosts(rows, config.vocabSize);
        report.push({
          rows,
          cache,
          'runtime step (as scheduled)': fmt(scheduler.step),
          'between steps (search, bookkeeping, event loop)': fmt(scheduler.gap),
          'encoder runs of joining prompts': fmt(scheduler.encode),
          'runtime step (alone)': fmt(step),
          'graph run': fmt(graph),
          'cache append (JS)': fmt(append),
          'feeds + outputs (JS, step - graph - append)': (step.wall - graph.wall - append.wall).toFixed(2),
          'search (JS)': Object.fromEntries(Object.entries(search).map(([k, v]) => [k, v.toFixed(2)])),
          'operators (1 thread, best ms per node, summed)': Object.fromEntries(
            Object.entries({
              ...operators.byRole,
              'of which the vocabulary head (Gemm)': operators.byOperator.Gemm ?? 0,
              'all kernels': operators.kernelsMs,
              'session run': operators.runMs,
            }).map(([k, v]) => [k, v.toFixed(2)]),
          ),
        });
      }
    await backend.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const entry of report) console.log(JSON.stringify(entry));
}

await main();
