// `node --import tsx bench/t5-profile.ts [--model t5-small] [--json]`: where a batch-1 decode step of
// the benchmark's T5 shape goes, fp32 and int8 (MatMulNBits and DynamicQuantizeMatMul). Per variant:
// the runtime's step (feeds, graph, cache append), the step graph run alone on prebuilt feeds, the bare
// MatMul chain, an empty graph (session.run's own cost), and onnxruntime's per-operator profile.
// Wall and process-CPU milliseconds, best of many runs (the machine is shared: CPU time is robust).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWeights, readT5Config } from '../src/model/index.js';
import type { T5Config, WeightStore } from '../src/model/index.js';
import { buildT5Graphs } from '../src/engine/graph/t5-graphs.js';
import { GraphBuilder } from '../src/engine/graph/proto.js';
import type { Int8Operator } from '../src/engine/graph/t5-layers.js';
import { createT5Runtime } from '../src/engine/runtime/t5-runtime.js';
import { openGraphSession } from '../src/engine/session/ort.js';
import type { SessionTensor } from '../src/engine/session/ort.js';
import type { Quantize } from '../src/engine/settings.js';
import { bestTimes } from './bandwidth.js';
import { BENCH_SHAPES, writeBenchCheckpoint } from './checkpoint.js';
import { buildMatMulChain } from './matmul-chain.js';
import { operatorProfile, toOrtFeeds } from './operator-profile.js';

const PROMPT = 64;
const POSITION = 32;
const REPEATS = 40;

interface Variant {
  readonly label: string;
  readonly quantize: Quantize;
  readonly int8Operator: Int8Operator;
}

const VARIANTS: readonly Variant[] = [
  { label: 'fp32', quantize: 'none', int8Operator: 'MatMulNBits' },
  { label: 'int8 MatMulNBits', quantize: 'int8', int8Operator: 'MatMulNBits' },
  { label: 'int8 DQMM', quantize: 'int8', int8Operator: 'DynamicQuantizeMatMul' },
];

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

// Step feeds of one row at `POSITION` with a cache of `capacity` slots, as the runtime builds them.
function stepFeeds(config: T5Config, capacity: number): Record<string, SessionTensor> {
  const { numHeads: heads, dKv } = config;
  const slots = capacity + 1;
  const bias = new Float32Array(slots).fill(-1e9);
  bias.fill(0, 0, POSITION);
  bias[capacity] = 0;
  const bucket = new BigInt64Array(slots).map((_, slot) => BigInt(Math.min(31, Math.abs(POSITION - slot))));
  const feeds: Record<string, SessionTensor> = {
    input_ids: { type: 'int64', dims: [1], data: new BigInt64Array([3n]) },
    self_bucket: { type: 'int64', dims: [1, slots], data: bucket },
    self_bias: { type: 'float32', dims: [1, slots], data: bias },
    cross_bias: { type: 'float32', dims: [1, PROMPT], data: new Float32Array(PROMPT) },
  };
  const filled = (size: number): Float32Array => new Float32Array(size).fill(0.01);
  for (let layer = 0; layer < config.numDecoderLayers; layer++) {
    feeds[`past_key_${layer}`] = { type: 'float32', dims: [1, heads, dKv, capacity], data: filled(heads * dKv * capacity) };
    feeds[`past_value_${layer}`] = { type: 'float32', dims: [1, heads, capacity, dKv], data: filled(heads * dKv * capacity) };
    feeds[`cross_key_${layer}`] = { type: 'float32', dims: [1, heads, dKv, PROMPT], data: filled(heads * dKv * PROMPT) };
    feeds[`cross_value_${layer}`] = { type: 'float32', dims: [1, heads, PROMPT, dKv], data: filled(heads * dKv * PROMPT) };
  }
  return feeds;
}

// session.run of a graph that does nothing but copy a `[1, 512]` input: the binding's fixed cost per call.
async function emptyRun(): Promise<{ wallMs: number; cpuMs: number }> {
  const graph = new GraphBuilder('empty');
  graph.op('Identity', [graph.input('x', 'float32', [1, 512])], { output: 'y' });
  graph.output('y', 'float32', [1, 512]);
  const session = await openGraphSession(graph.serialize({ externalDataFile: 'x', thresholdBytes: Infinity }).model, {
    threads: 1,
    label: 'empty',
  });
  const feeds = { x: { type: 'float32' as const, dims: [1, 512], data: new Float32Array(512) } };
  const times = await bestTimes(200, () => session.run(feeds));
  await session.close();
  return times;
}

async function profileVariant(config: T5Config, weights: WeightStore, variant: Variant): Promise<Record<string, unknown>> {
  const precision = { quantize: variant.quantize, int8Operator: variant.int8Operator };
  const runtime = await createT5Runtime({ weights, config, ...precision });
  const prompt = Array.from({ length: PROMPT }, (_, index) => 3 + ((index * 31) % 1000));
  const state = runtime.startDecoding(await runtime.encode([prompt]), { expectedTokens: POSITION + REPEATS + 8 });
  for (let step = 0; step < POSITION; step++) await runtime.step(state, [3]);
  const runtimeStep = await bestTimes(REPEATS, () => runtime.step(state, [3]));
  await runtime.close();
  const graphs = buildT5Graphs(config, weights, { ...precision, externalDataThresholdBytes: Infinity });
  const stepModel = graphs.files.find((file) => file.name === 'decoder.onnx')?.chunks[0] ?? new Uint8Array();
  const feeds = stepFeeds(config, state.capacity);
  const graph = await openGraphSession(stepModel, { threads: 1, label: 'step graph' });
  const graphRun = await bestTimes(REPEATS, () => graph.run(feeds));
  await graph.close();
  const chainGraph = buildMatMulChain(config, weights, precision);
  const chain = await openGraphSession(chainGraph.model, { threads: 1, label: 'matmul chain' });
  const x = { x: { type: 'float32' as const, dims: [1, config.dModel], data: new Float32Array(config.dModel).fill(0.01) } };
  const chainRun = await bestTimes(REPEATS, () => chain.run(x));
  await chain.close();
  const profile = await operatorProfile(stepModel, toOrtFeeds(feeds), 40);
  const chainProfile = await operatorProfile(chainGraph.model, toOrtFeeds(x), 40);
  const round = (value: number): number => Math.round(value * 100) / 100;
  const pair = (times: { wallMs: number; meanWallMs: number; cpuMs: number }): string =>
    `${round(times.wallMs)}/${round(times.meanWallMs)}/${round(times.cpuMs)}`;
  const rounded = (totals: Readonly<Record<string, number>>): Record<string, number> =>
    Object.fromEntries(Object.entries(totals).map(([name, ms]) => [name, round(ms)]));
  return {
    variant: variant.label,
    weightMB: round(chainGraph.weightBytes / 1e6),
    'runtime step ms (best wall/mean wall/best CPU)': pair(runtimeStep),
    'graph run ms': pair(graphRun),
    'chain ms': pair(chainRun),
    'JS feeds, fetches, cache append ms (runtime step - graph run, best CPU)': round(runtimeStep.cpuMs - graphRun.cpuMs),
    'profiled step: nodes, best run ms, kernels ms, executor between kernels ms': [
      profile.nodes,
      round(profile.runMs),
      round(profile.kernelsMs),
      round(profile.runMs - profile.kernelsMs),
    ],
    'profiled chain: nodes, best run ms, kernels ms': [chainProfile.nodes, round(chainProfile.runMs), round(chainProfile.kernelsMs)],
    rolesMs: rounded(profile.byRole),
    operatorsMs: rounded(profile.byOperator),
  };
}

async function main(): Promise<void> {
  const shape = BENCH_SHAPES.find((candidate) => candidate.name === (option('--model') ?? 't5-small'));
  if (shape === undefined) throw new Error('--model names one of the benchmark shapes (t5-small, t5-base)');
  const only = option('--variants')?.split(',');
  const root = mkdtempSync(join(tmpdir(), 'llm-deploy-t5-profile-'));
  const report: Record<string, unknown>[] = [{ loadAverage: loadavg().map((load) => Math.round(load * 100) / 100) }];
  try {
    await writeBenchCheckpoint(root, shape);
    const config = await readT5Config(root);
    const weights = await openWeights(root, config);
    const empty = await emptyRun();
    report.push({ 'empty session.run ms (best wall/best CPU)': `${empty.wallMs.toFixed(3)}/${empty.cpuMs.toFixed(3)}` });
    for (const variant of VARIANTS.filter((candidate) => only === undefined || only.includes(candidate.label)))
      report.push(await profileVariant(config, weights, variant));
    weights.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  report.push({ loadAverageAfter: loadavg().map((load) => Math.round(load * 100) / 100) });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const entry of report) console.log(JSON.stringify(entry));
}

await main();
