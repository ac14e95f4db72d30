// onnxruntime's own per-operator profile of a graph: where a step's milliseconds go inside
// session.run. Each node's time is its best of many runs (robust to a shared machine), summed by
// operator type and by role (weight products, attention, norms, ...).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

/** Feeds as onnxruntime takes them. */
export type OrtFeeds = Record<string, ort.Tensor>;

/** What one graph's profile says, in ms per run. */
export interface OperatorProfile {
  /** Best session run (the profiler's own `model_run` event). */
  readonly runMs: number;
  /** Sum of each node's best kernel time; `runMs - kernelsMs` is the executor's cost between kernels. */
  readonly kernelsMs: number;
  readonly nodes: number;
  readonly byOperator: Readonly<Record<string, number>>;
  readonly byRole: Readonly<Record<string, number>>;
}

type TensorFeeds = Readonly<Record<string, { type: 'float32' | 'int64'; dims: readonly number[]; data: Float32Array | BigInt64Array }>>;

/** Our session tensors (`{ type, dims, data }`) as onnxruntime tensors. */
export function toOrtFeeds(feeds: TensorFeeds): OrtFeeds {
  return Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, new ort.Tensor(tensor.type, tensor.data, tensor.dims)]));
}

const WEIGHT_OPERATORS = new Set(['MatMul', 'Gemm', 'FusedMatMul', 'MatMulNBits', 'DynamicQuantizeMatMul']);
// onnxruntime fuses SiLU (x * sigmoid(x)) into QuickGelu.
const ACTIVATION_OPERATORS = new Set(['Relu', 'Gelu', 'FastGelu', 'QuickGelu', 'Sigmoid', 'Tanh']);

interface NodeEvent {
  readonly cat?: unknown;
  readonly dur?: unknown;
  readonly name?: unknown;
  readonly args?: { readonly op_name?: unknown; readonly input_type_shape?: unknown };
}

// The second input's rank: 2 for a product with a weight matrix, 4 for attention over the caches.
function secondInputRank(event: NodeEvent): number {
  const shapes = event.args?.input_type_shape;
  const second = Array.isArray(shapes) ? (shapes[1] as Record<string, unknown> | undefined) : undefined;
  const dims = second === undefined ? undefined : Object.values(second)[0];
  return Array.isArray(dims) ? dims.length : 0;
}

/** What a node does in a decoder step, told by its operator and the rank of its operands. */
export function roleOf(operator: string, event: NodeEvent): string {
  if (WEIGHT_OPERATORS.has(operator) && secondInputRank(event) <= 3) return 'weight products';
  if (operator.includes('LayerNormalization')) return 'norms';
  if (operator === 'Gather' || operator === 'Transpose' || operator === 'Unsqueeze') return 'embedding, position bias';
  if (ACTIVATION_OPERATORS.has(operator)) return 'activations';
  return 'attention and glue (scores, softmax, RoPE, slices, reshapes)';
}

function readTrace(dir: string): NodeEvent[] {
  const file = readdirSync(dir).find((name) => name.endsWith('.json'));
  const events: unknown = file === undefined ? [] : JSON.parse(readFileSync(join(dir, file), 'utf8'));
  return Array.isArray(events) ? (events as NodeEvent[]) : [];
}

function add(totals: Record<string, number>, key: string, ms: number): void {
  totals[key] = (totals[key] ?? 0) + ms;
}

function sorted(totals: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(totals).sort((a, b) => b[1] - a[1]));
}

/** Profiles `runs` runs of `model` (after 2 warm-up runs) on 1 intra-op thread. */
export async function operatorProfile(model: Uint8Array, feeds: OrtFeeds, runs: number): Promise<OperatorProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-ort-profile-'));
  let events: NodeEvent[];
  try {
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableProfiling: true,
      profileFilePrefix: join(dir, 'ort'),
    });
    for (let run = 0; run < runs + 2; run++) await session.run(feeds);
    // The Node binding's endProfiling returns nothing; the trace is the one file written under `dir`.
    session.endProfiling();
    await session.release();
    events = readTrace(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let runMs = Infinity;
  const best = new Map<string, { operator: string; ms: number; event: NodeEvent }>();
  for (const event of events) {
    if (typeof event.dur !== 'number' || typeof event.name !== 'string') continue;
    if (event.cat === 'Session' && event.name === 'model_run') runMs = Math.min(runMs, event.dur / 1000);
    // Each node logs fence events and `<node>_kernel_time`, the operator's own time.
    if (event.cat !== 'Node' || typeof event.args?.op_name !== 'string' || !event.name.endsWith('_kernel_time')) continue;
    const known = best.get(event.name);
    if (known === undefined || event.dur / 1000 < known.ms)
      best.set(event.name, { operator: event.args.op_name, ms: event.dur / 1000, event });
  }
  const byOperator: Record<string, number> = {};
  const byRole: Record<string, number> = {};
  let kernelsMs = 0;
  for (const { operator, ms, event } of best.values()) {
    add(byOperator, operator, ms);
    add(byRole, roleOf(operator, event), ms);
    kernelsMs += ms;
  }
  return { runMs, kernelsMs, nodes: best.size, byOperator: sorted(byOperator), byRole: sorted(byRole) };
}
