// `node --import tsx bench/causal-profile.ts [--rows 1,16] [--json]`: where a decode step of the
// benchmark's 60M Llama goes. Per batch size: the whole scheduler step (native backend, greedy),
// the runtime's step (feeds, graph, cache append), the graph run alone, the bare MatMul chain,
// and onnxruntime's own per-operator profile of the step graph.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createCausalRuntime, loadNativeBackend } from '../src/engine/index.js';
import { buildCausalStepGraph } from '../src/engine/graph/causal-graphs.js';
import { openGraphSession } from '../src/engine/session/ort.js';
import { openCausalWeights, readCausalConfig } from '../src/model/index.js';
import type { CausalConfig } from '../src/model/index.js';
import { bestTimes } from './bandwidth.js';
import { BENCH_SHAPES, writeBenchCheckpoint } from './checkpoint.js';
import { buildCausalMatMulChain } from './matmul-chain.js';
import { operatorProfile } from './operator-profile.js';

const PROMPT = 64;
const STEPS = 32;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

// Step feeds at cache capacity `capacity` (every slot visible), as the runtime builds them.
function stepFeeds(config: CausalConfig, rows: number, capacity: number): Record<string, ort.Tensor> {
  const { numKvHeads: heads, headDim, rotaryDim } = config;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(rows).fill(3n), [rows]),
    self_bias: new ort.Tensor('float32', new Float32Array(rows * (capacity + 1)), [rows, capacity + 1]),
    rope_cos: new ort.Tensor('float32', new Float32Array(rows * rotaryDim).fill(1), [rows, rotaryDim]),
    rope_sin: new ort.Tensor('float32', new Float32Array(rows * rotaryDim), [rows, rotaryDim]),
  };
  for (let layer = 0; layer < config.numLayers; layer++) {
    const size = rows * heads * headDim * capacity;
    feeds[`past_key_${layer}`] = new ort.Tensor('float32', new Float32Array(size).fill(0.01), [rows, heads, headDim, capacity]);
    feeds[`past_value_${layer}`] = new ort.Tensor('float32', new Float32Array(size).fill(0.01), [rows, heads, capacity, headDim]);
  }
  return feeds;
}

async function main(): Promise<void> {
  const rowsList = (option('--rows') ?? '1,16').split(',').map(Number);
  const root = mkdtempSync(join(tmpdir(), 'llm-deploy-causal-profile-'));
  const report: Record<string, unknown>[] = [];
  try {
    const shape = BENCH_SHAPES.find((candidate) => candidate.name === 'llama-60m');
    if (shape) await writeBenchCheckpoint(root, shape);
    const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
    const rss = { start: mib(process.memoryUsage().rss), weightsOpen: 0, runtimeOpen: 0, peakWhileLoading: 0 };
    const config = await readCausalConfig(root);
    const weights = await openCausalWeights(root, config);
    rss.weightsOpen = mib(process.memoryUsage().rss);
    const runtime = await createCausalRuntime({ config, weights, quantize: 'none' });
    rss.runtimeOpen = mib(process.memoryUsage().rss);
    rss.peakWhileLoading = mib(process.resourceUsage().maxRSS * 1024);
    report.push({ rssMiB: rss });
    const stepModel = buildCausalStepGraph({ config, weights, quantize: 'none' }).serialize({
      externalDataFile: 'unused.data',
      thresholdBytes: Infinity,
    }).model;
    const chain = await openGraphSession(buildCausalMatMulChain(config, weights, { quantize: 'none', int8Operator: 'MatMulNBits' }).model, {
      threads: 1,
      label: 'matmul chain',
    });
    const backend = await loadNativeBackend({ runtime, settings: { maxBatchSize: Math.max(...rowsList) } });
    const graph = await openGraphSession(stepModel, { threads: 1, label: 'step graph' });
    for (const rows of rowsList) {
      const prompts = Array.from({ length: rows }, (_, row) =>
        Array.from({ length: PROMPT }, (_, index) => 3 + ((index * 31 + row) % 1000)),
      );
      const state = runtime.startDecoding(await runtime.encode(prompts), { expectedTokens: STEPS * 3 });
      const token = Array.from({ length: rows }, () => 3);
      const runtimeStep = await bestTimes(STEPS, () => runtime.step(state, token));
      const feeds = stepFeeds(config, rows, state.capacity);
      const sessionFeeds = Object.fromEntries(
        Object.entries(feeds).map(([name, tensor]) => [name, { type: tensor.type, dims: tensor.dims, data: tensor.data }]),
      ) as Parameters<typeof graph.run>[0];
      const graphRun = await bestTimes(STEPS, () => graph.run(sessionFeeds));
      const x = {
        x: { type: 'float32' as const, dims: [rows, config.hiddenSize], data: new Float32Array(rows * config.hiddenSize).fill(0.01) },
      };
      const chainRun = await bestTimes(STEPS, () => chain.run(x));
      // Long minus short generations: the prompt prefill cancels out.
      const generateMs = async (tokens: number): Promise<number> => {
        const started = performance.now();
        await Promise.all(
          prompts.map((inputIds) => backend.generate({ inputIds, params: { maxNewTokens: tokens, minNewTokens: tokens } })),
        );
        return performance.now() - started;
      };
      const schedulerStepMs = ((await generateMs(STEPS + 2)) - (await generateMs(2))) / STEPS;
      const operators = await operatorProfile(stepModel, feeds, 8);
      report.push({
        rows,
        capacity: state.capacity,
        schedulerStepMs,
        runtimeStepMs: runtimeStep.meanWallMs,
        graphRunMs: graphRun.meanWallMs,
        chainMs: chainRun.meanWallMs,
        operatorsMs: operators.byOperator,
        rolesMs: operators.byRole,
      });
    }
    await graph.close();
    await chain.close();
    await backend.close();
    weights.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    for (const entry of report) {
      const { operatorsMs, ...rest } = entry as { operatorsMs?: Record<string, number> };
      console.log(JSON.stringify(rest));
      if (operatorsMs)
        console.log(
          `  operators (ms per step): ${Object.entries(operatorsMs)
            .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
            .join(', ')}`,
        );
    }
}

await main();
