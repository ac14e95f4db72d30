// One benchmark case, run in its own process so that its peak RSS is its own: load a checkpoint (T5
// or decoder-only), time the bare MatMul chain, batch-1 decoding, and concurrent requests through the native backend.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createCausalRuntime, loadNativeBackend } from '../src/engine/index.js';
import type { GenerationRuntime } from '../src/engine/index.js';
import { isBartConfig, isCausalConfig, openCausalWeights, openModelDirectory, openWeights } from '../src/model/index.js';
import type { WeightStore } from '../src/model/index.js';
import { createT5Runtime } from '../src/engine/runtime/t5-runtime.js';
import { openGraphSession } from '../src/engine/session/ort.js';
import type { Quantize } from '../src/engine/settings.js';
import { bestTimes } from './bandwidth.js';
import { buildCausalMatMulChain, buildMatMulChain } from './matmul-chain.js';

/** What the parent asks for. */
export interface CaseRequest {
  readonly dir: string;
  readonly quantize: Quantize;
  /** onnxruntime intra-op threads; 0 = the runtime's defaults (the chain then uses the decoder's 1). */
  readonly threads: number;
  readonly fuseQkv: boolean;
  readonly int8Operator?: 'DynamicQuantizeMatMul' | 'MatMulNBits';
  readonly concurrency: readonly number[];
  readonly inputTokens: number;
  readonly newTokens: number;
}

/** What one case measured. */
export interface CaseReport {
  readonly loadSeconds: number;
  readonly weightBytesPerStep: number;
  /** Mean wall ms of 64 chain runs (the step's wall figure is a mean too). */
  readonly chainMs: number;
  /** Best process-CPU ms of one chain run / one batch-1 step (1 decoder thread: robust when the machine is shared). */
  readonly chainCpuMs: number;
  readonly stepCpuMs: number;
  /** Mean wall ms of the batch-1 decode steps (best of two runs). */
  readonly stepMs: number;
  readonly decodeTokensPerSecond: number;
  readonly encodeMs: number;
  /** Best wall ms per prompt of encoding two prompts at once (the batcher's join chunk), the runtime's threads. */
  readonly encodePerPromptMs: number;
  /**
   * Best wall ms of the bare chain with {@link BOUND_ROWS} rows, on 1 and on 2 intra-op threads: the weight
   * products alone of a step of that many rows, the compute this machine needs for them in this run.
   */
  readonly chainRows: { readonly rows: number; readonly oneThreadMs: number; readonly twoThreadsMs: number };
  readonly greedyTokens: readonly number[];
  readonly concurrent: readonly { readonly requests: number; readonly tokensPerSecond: number; readonly meanFirstTokenMs: number }[];
  readonly peakRssBytes: number;
  /** RSS of this process before the checkpoint was opened (Node, onnxruntime and the bench code). */
  readonly baselineRssBytes: number;
  /** Bytes of the fp32 checkpoint (model.safetensors): every weight once. */
  readonly checkpointBytes: number;
}

/** Rows of the chain that bounds the concurrent run's throughput (its largest concurrency). */
export const BOUND_ROWS = 16;

function prompt(length: number, seed: number, vocab: number): number[] {
  return Array.from({ length }, (_, index) => (index === length - 1 ? 1 : 3 + ((index * 7919 + seed * 104729) % (vocab - 200))));
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = offset;
  for (let index = offset + 1; index < offset + length; index++) if ((values[index] as number) > (values[best] as number)) best = index;
  return best - offset;
}

async function decodeBatchOne(
  runtime: GenerationRuntime,
  request: CaseRequest,
): Promise<{ stepMs: number; encodeMs: number; tokens: number[] }> {
  const { vocabSize } = runtime;
  let encodeMs = Infinity;
  let stepMs = Infinity;
  let tokens: number[] = [];
  for (let repeat = 0; repeat < 2; repeat++) {
    const encodeStarted = performance.now();
    const encoded = await runtime.encode([prompt(request.inputTokens, 1, vocabSize)]);
    encodeMs = Math.min(encodeMs, performance.now() - encodeStarted);
    const state = runtime.startDecoding(encoded, { expectedTokens: request.newTokens + 1 });
    tokens = [encoded.startTokenIds?.[0] ?? runtime.config.decoderStartTokenId];
    const started = performance.now();
    for (let step = 0; step < request.newTokens; step++) {
      const logits = await runtime.step(state, [tokens[tokens.length - 1] as number]);
      tokens.push(argmax(logits, 0, vocabSize));
    }
    stepMs = Math.min(stepMs, (performance.now() - started) / request.newTokens);
  }
  return { stepMs, encodeMs, tokens: tokens.slice(1) };
}

// Best wall ms per prompt of two prompts encoded together, as a join of the continuous batcher encodes them.
async function encodePerPromptMs(runtime: GenerationRuntime, request: CaseRequest): Promise<number> {
  const pair = [prompt(request.inputTokens, 3, runtime.vocabSize), prompt(request.inputTokens, 4, runtime.vocabSize)];
  return (await bestTimes(4, () => runtime.encode(pair))).wallMs / pair.length;
}

async function concurrent(runtime: GenerationRuntime, request: CaseRequest): Promise<CaseReport['concurrent']> {
  const maxBatchSize = Math.max(...request.concurrency);
  const backend = await loadNativeBackend({ runtime, settings: { maxBatchSize } });
  const results: { requests: number; tokensPerSecond: number; meanFirstTokenMs: number }[] = [];
  try {
    for (const count of request.concurrency) {
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          backend.generate({
            inputIds: prompt(request.inputTokens, index + 2, runtime.vocabSize),
            params: { maxNewTokens: request.newTokens, minNewTokens: request.newTokens },
          }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const generated = answers.reduce((sum, answer) => sum + (answer.sequences[0]?.tokenIds.length ?? 0), 0);
      const meanFirstTokenMs = answers.reduce((sum, answer) => sum + answer.timings.firstTokenMs, 0) / count;
      results.push({ requests: count, tokensPerSecond: generated / seconds, meanFirstTokenMs });
    }
  } finally {
    await backend.close();
  }
  return results;
}

// A batch-1 step at position `newTokens / 2`, timed by process CPU (best of 20).
async function singleStepCpuMs(runtime: GenerationRuntime, request: CaseRequest): Promise<number> {
  const state = runtime.startDecoding(await runtime.encode([prompt(request.inputTokens, 1, runtime.vocabSize)]), {
    expectedTokens: request.newTokens + 25,
  });
  for (let step = 0; step < request.newTokens / 2; step++) await runtime.step(state, [3]);
  return (await bestTimes(20, () => runtime.step(state, [3]))).cpuMs;
}

interface LoadedCase {
  readonly runtime: GenerationRuntime;
  readonly weights: WeightStore;
  readonly hiddenSize: number;
  readonly chain: () => ReturnType<typeof buildMatMulChain>;
}

// The runtime of the checkpoint's kind, and the bare chain over the same weights (built on demand, after the runtime closed).
async function loadCase(request: CaseRequest): Promise<LoadedCase> {
  const precision = { quantize: request.quantize, int8Operator: request.int8Operator ?? 'MatMulNBits' } as const;
  const threads = request.threads > 0 ? { threads: request.threads } : {};
  const int8Operator = request.int8Operator ? { int8Operator: request.int8Operator } : {};
  const { config } = await openModelDirectory(request.dir);
  if (isCausalConfig(config)) {
    const weights = await openCausalWeights(request.dir, config);
    const runtime = await createCausalRuntime({ weights, config, quantize: request.quantize, ...int8Operator, ...threads });
    return { runtime, weights, hiddenSize: config.hiddenSize, chain: () => buildCausalMatMulChain(config, weights, precision) };
  }
  if (isBartConfig(config)) throw new Error(`the benchmark runs T5 and decoder-only checkpoints, not ${config.modelType}`);
  const weights = await openWeights(request.dir, config);
  const runtime = await createT5Runtime({
    weights,
    config,
    quantize: request.quantize,
    fuseQkv: request.fuseQkv,
    ...int8Operator,
    ...threads,
  });
  return { runtime, weights, hiddenSize: config.dModel, chain: () => buildMatMulChain(config, weights, precision) };
}

// Times `repeats` runs of the bare chain on `rows` rows with `threads` intra-op threads.
async function timeChain(model: Uint8Array, shape: { threads: number; rows: number; hiddenSize: number }, repeats: number) {
  const { threads, rows, hiddenSize } = shape;
  const session = await openGraphSession(model, { threads, label: 'matmul chain' });
  try {
    const input = { x: { type: 'float32' as const, dims: [rows, hiddenSize], data: new Float32Array(rows * hiddenSize).fill(0.01) } };
    await session.run(input);
    return await bestTimes(repeats, () => session.run(input));
  } finally {
    await session.close();
  }
}

/** Runs the case described by `request`. */
export async function runCase(request: CaseRequest): Promise<CaseReport> {
  const baselineRssBytes = process.memoryUsage().rss;
  const loadStarted = performance.now();
  const { runtime, weights, hiddenSize, chain: buildChain } = await loadCase(request);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const decoded = await decodeBatchOne(runtime, request);
  const stepCpuMs = await singleStepCpuMs(runtime, request);
  const encodedPromptMs = await encodePerPromptMs(runtime, request);
  const concurrentResults = await concurrent(runtime, request);
  // Peak RSS of the runtime's life; the chain below is built only after the backend closed it.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const chain = buildChain();
  weights.close();
  const chainTimes = await timeChain(chain.model, { threads: request.threads > 0 ? request.threads : 1, rows: 1, hiddenSize }, 64);
  const chainRows = {
    rows: BOUND_ROWS,
    oneThreadMs: (await timeChain(chain.model, { threads: 1, rows: BOUND_ROWS, hiddenSize }, 16)).wallMs,
    twoThreadsMs: (await timeChain(chain.model, { threads: 2, rows: BOUND_ROWS, hiddenSize }, 16)).wallMs,
  };
  return {
    loadSeconds,
    weightBytesPerStep: chain.weightBytes,
    chainMs: chainTimes.meanWallMs,
    chainCpuMs: chainTimes.cpuMs,
    stepCpuMs,
    stepMs: decoded.stepMs,
    decodeTokensPerSecond: 1000 / decoded.stepMs,
    encodeMs: decoded.encodeMs,
    encodePerPromptMs: encodedPromptMs,
    chainRows,
    greedyTokens: decoded.tokens,
    concurrent: concurrentResults,
    peakRssBytes,
    baselineRssBytes,
    checkpointBytes: statSync(join(request.dir, 'model.safetensors')).size,
  };
}
