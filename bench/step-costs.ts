// Pieces of a decode step measured apart, for the profiles: onnxruntime's per-node profile grouped by the
// role a node plays in a step, and the JavaScript search over the vocabulary per step.
import { createDecodeTask, type DecodeTask } from '../src/engine/generation/decode-task.js';
import { logSoftmax } from '../src/engine/generation/log-softmax.js';
import { paramsFromGenerationConfig } from '../src/engine/index.js';
import { defaultGenerationConfig } from '../src/model/index.js';

interface NodeEvent {
  readonly cat?: unknown;
  readonly dur?: unknown;
  readonly args?: { readonly op_name?: unknown; readonly input_type_shape?: unknown; readonly output_type_shape?: unknown };
}

function shapes(value: unknown): number[][] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => (Object.values(entry as Record<string, unknown>)[0] as number[] | undefined) ?? []);
}

// A node's role: the vocabulary head (its output is the logits), attention over the caches (4-D tensors),
// the other MatMuls (weights: onnxruntime lists only their activation input), norms, and everything else.
function role(op: string, inputs: number[][], outputs: number[][], vocab: number): string {
  const output = outputs[0] ?? [];
  const matmul = op === 'MatMul' || op === 'Gemm' || op.startsWith('MatMulNBits') || op === 'DynamicQuantizeMatMul';
  if (matmul && output[output.length - 1] === vocab) return 'logits head (MatMul)';
  if (op !== 'Reshape' && inputs.some((dims) => dims.length === 4)) return 'attention over caches';
  if (matmul) return 'weight MatMuls';
  if (op.includes('LayerNormalization')) return 'norms';
  return `other (${op})`;
}

/** ms per run of each role, from onnxruntime's trace of `runs` runs. */
export function operatorRoles(events: readonly unknown[], runs: number, vocab = 32128): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const event of events) {
    const record = event as NodeEvent;
    const op = record.args?.op_name;
    if (record.cat !== 'Node' || typeof record.dur !== 'number' || typeof op !== 'string') continue;
    const key = role(op, shapes(record.args?.input_type_shape), shapes(record.args?.output_type_shape), vocab);
    totals[key] = (totals[key] ?? 0) + record.dur / 1000 / runs;
  }
  const sorted = Object.entries(totals).sort((a, b) => b[1] - a[1]);
  const total = sorted.reduce((sum, [, ms]) => sum + ms, 0);
  return Object.fromEntries([...sorted, ['all nodes', total]]);
}

// Mean wall ms of `repeats` calls of a synchronous piece of work.
function meanMs(repeats: number, work: () => void): number {
  work();
  const started = performance.now();
  for (let index = 0; index < repeats; index++) work();
  return (performance.now() - started) / repeats;
}

/** ms per step of the JavaScript choices for `rows` greedy rows: argmax only, argmax + log-probability (streaming), a full log-softmax (beams, scores). */
export function searchCosts(rows: number, vocab: number): Record<string, number> {
  const logits = new Float32Array(rows * vocab).map((_, index) => Math.sin(index * 0.37));
  const defaults = paramsFromGenerationConfig(defaultGenerationConfig({ decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 }));
  const params = { ...defaults, maxNewTokens: 1_000_000, minNewTokens: 0 };
  const ids = { decoderStartTokenId: 0, eosTokenId: 1 };
  const tasks = (streaming: boolean): DecodeTask[] =>
    Array.from({ length: rows }, () => createDecodeTask({ params, ids, ...(streaming ? { onToken: () => undefined } : {}) }));
  const greedy = tasks(false);
  const streamed = tasks(true);
  const out = new Float32Array(vocab);
  return {
    'greedy argmax': meanMs(20, () => greedy.forEach((task, row) => task.advance(logits, row, vocab))),
    'greedy + log-prob (streaming)': meanMs(20, () => streamed.forEach((task, row) => task.advance(logits, row, vocab))),
    'log-softmax (beams, scores)': meanMs(20, () => {
      for (let row = 0; row < rows; row++) logSoftmax(logits.subarray(row * vocab, (row + 1) * vocab), out);
    }),
  };
}
