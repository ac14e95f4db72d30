/**
 * Hugging Face's sampling warpers (transformers v4.36 `_get_logits_warper`) in HF's order:
 * temperature, top-k, top-p. `minTokensToKeep` is 2 for beam sampling and 1 otherwise, as in HF.
 */
import type { GenerationParams } from '../backend.js';

/** Applies the enabled warpers to one row of `scores` `[vocab] float32`, in place. */
export function warpLogits(scores: Float32Array, params: GenerationParams): void {
  const minTokensToKeep = params.numBeams > 1 ? 2 : 1;
  if (params.temperature !== 1) applyTemperature(scores, params.temperature);
  if (params.topK !== 0) applyTopK(scores, params.topK, minTokensToKeep);
  if (params.topP < 1) applyTopP(scores, params.topP, minTokensToKeep);
}

/** HF TemperatureLogitsWarper: scores / temperature. */
export function applyTemperature(scores: Float32Array, temperature: number): void {
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i] / temperature;
}

/** HF TopKLogitsWarper: removes every score below the k-th largest (ties with it stay). */
export function applyTopK(scores: Float32Array, topK: number, minTokensToKeep: number): void {
  const k = Math.min(Math.max(topK, minTokensToKeep), scores.length);
  if (k >= scores.length) return;
  const threshold = kthLargest(scores, k);
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) scores[i] = -Infinity;
}

/** The k-th largest value: a size-k min-heap for small k (one compare per entry, mostly), a full sort otherwise. */
export function kthLargest(scores: Float32Array, k: number): number {
  if (k > 1024) return Float32Array.from(scores).sort()[scores.length - k];
  const heap = new Float32Array(k);
  heap.set(scores.subarray(0, k));
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  for (let i = k; i < scores.length; i++) {
    if (scores[i] > heap[0]) {
      heap[0] = scores[i];
      siftDown(heap, 0);
    }
  }
  return heap[0];
}

function siftDown(heap: Float32Array, start: number): void {
  let at = start;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= heap.length) return;
    const child = left + 1 < heap.length && heap[left + 1] < heap[left] ? left + 1 : left;
    if (!(heap[child] < heap[at])) return;
    const swap = heap[at];
    heap[at] = heap[child];
    heap[child] = swap;
    at = child;
  }
}

/**
 * HF TopPLogitsWarper: sorts ascending, removes tokens whose cumulative probability from the low end is
 * `<= 1 - topP`, always keeping the `minTokensToKeep` most likely.
 */
export function applyTopP(scores: Float32Array, topP: number, minTokensToKeep: number): void {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] !== -Infinity) order.push(i);
  if (order.length <= minTokensToKeep) return;
  order.sort((a, b) => scores[a] - scores[b] || b - a);
  let max = -Infinity;
  for (const index of order) max = Math.max(max, scores[index]);
  let total = 0;
  for (const index of order) total += Math.exp(scores[index] - max);
  let cumulative = 0;
  const keepFrom = order.length - minTokensToKeep;
  for (let rank = 0; rank < keepFrom; rank++) {
    const index = order[rank];
    cumulative += Math.exp(scores[index] - max) / total;
    if (cumulative > 1 - topP) break;
    scores[index] = -Infinity;
  }
}
