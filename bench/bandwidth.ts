// Memory bandwidth, measured several ways in this process; the fastest reader sets the floor.
import { GraphBuilder } from '../src/engine/graph/proto.js';
import { openGraphSession } from '../src/engine/session/ort.js';

/** One reader's result. */
export interface BandwidthReading {
  readonly method: string;
  readonly gbPerSecond: number;
  /** Bytes per second of this process's CPU time (single-threaded readers only): robust on a shared machine. */
  readonly cpuGbPerSecond?: number;
}

/** Best and mean wall, and best process-CPU milliseconds of `repeats` runs. */
export async function bestTimes(
  repeats: number,
  run: () => Promise<unknown> | unknown,
): Promise<{ wallMs: number; meanWallMs: number; cpuMs: number }> {
  let wallMs = Infinity;
  let totalWallMs = 0;
  let cpuMs = Infinity;
  for (let index = 0; index < repeats; index++) {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    await run();
    const elapsedMs = performance.now() - started;
    wallMs = Math.min(wallMs, elapsedMs);
    totalWallMs += elapsedMs;
    const cpu = process.cpuUsage(cpuStarted);
    cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000);
  }
  return { wallMs, meanWallMs: totalWallMs / repeats, cpuMs };
}

const MATRIX = 4096; // 4096 x 4096 float32 = 64 MiB, far beyond the caches
const STREAM_FLOATS = 64 * 1024 * 1024; // 256 MiB

/** Best of `repeats` timings of `run`, in seconds. */
export async function bestSeconds(repeats: number, run: () => Promise<unknown> | unknown): Promise<number> {
  let best = Infinity;
  for (let index = 0; index < repeats; index++) {
    const started = performance.now();
    await run();
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

async function ortMatVec(threads: number): Promise<BandwidthReading> {
  const graph = new GraphBuilder('gemv');
  const x = graph.input('x', 'float32', [1, MATRIX]);
  const weights = new Float32Array(MATRIX * MATRIX).fill(0.001);
  graph.op('MatMul', [x, graph.floats('w', [MATRIX, MATRIX], weights)], { output: 'y' });
  graph.output('y', 'float32', [1, MATRIX]);
  const session = await openGraphSession(graph.serialize({ externalDataFile: 'x', thresholdBytes: Infinity }).model, {
    threads,
    label: 'gemv',
  });
  const input = { x: { type: 'float32' as const, dims: [1, MATRIX], data: new Float32Array(MATRIX).fill(1) } };
  const { wallMs, cpuMs } = await bestTimes(20, () => session.run(input));
  await session.close();
  const method = `onnxruntime MatMul 1x4096 @ 4096x4096 (${threads} thread${threads > 1 ? 's' : ''})`;
  const reading = { method, gbPerSecond: weights.byteLength / wallMs / 1e6 };
  return threads === 1 ? { ...reading, cpuGbPerSecond: weights.byteLength / cpuMs / 1e6 } : reading;
}

async function ortReduceSum(threads: number): Promise<BandwidthReading> {
  const graph = new GraphBuilder('reduce');
  const x = graph.input('x', 'float32', [STREAM_FLOATS]);
  graph.op('ReduceSum', [x], { attributes: { keepdims: { int: 0 } }, output: 'y' });
  graph.output('y', 'float32', []);
  const session = await openGraphSession(graph.serialize({ externalDataFile: 'x', thresholdBytes: Infinity }).model, {
    threads,
    label: 'reduce',
  });
  const data = new Float32Array(STREAM_FLOATS).fill(1);
  const input = { x: { type: 'float32' as const, dims: [STREAM_FLOATS], data } };
  const seconds = await bestSeconds(6, () => session.run(input));
  await session.close();
  return { method: `onnxruntime ReduceSum over 256 MiB (${threads} threads)`, gbPerSecond: data.byteLength / seconds / 1e9 };
}

async function jsLoop(): Promise<BandwidthReading> {
  const data = new Float32Array(STREAM_FLOATS).fill(1);
  let sink = 0;
  const { wallMs, cpuMs } = await bestTimes(3, () => {
    let sum = 0;
    for (let index = 0; index < data.length; index += 4)
      sum += (data[index] as number) + (data[index + 1] as number) + (data[index + 2] as number) + (data[index + 3] as number);
    sink += sum;
  });
  if (sink < 0) console.log(sink);
  return {
    method: 'JavaScript loop over 256 MiB (1 thread)',
    gbPerSecond: data.byteLength / wallMs / 1e6,
    cpuGbPerSecond: data.byteLength / cpuMs / 1e6,
  };
}

async function bufferCopy(): Promise<BandwidthReading> {
  const source = Buffer.alloc(STREAM_FLOATS * 4, 1);
  const target = Buffer.alloc(STREAM_FLOATS * 4, 2);
  const { wallMs, cpuMs } = await bestTimes(3, () => source.copy(target));
  return {
    method: 'Buffer.copy 256 MiB (bytes read counted, 1 thread)',
    gbPerSecond: source.byteLength / wallMs / 1e6,
    cpuGbPerSecond: source.byteLength / cpuMs / 1e6,
  };
}

/** Every reading, fastest first. */
export async function measureBandwidth(): Promise<readonly BandwidthReading[]> {
  const readings = [await ortMatVec(1), await ortMatVec(2), await ortReduceSum(2), await jsLoop(), await bufferCopy()];
  return readings.sort((a, b) => b.gbPerSecond - a.gbPerSecond);
}
