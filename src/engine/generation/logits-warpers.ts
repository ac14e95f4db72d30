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
  const sorted = Float32Array.from(scores).sort();
  const threshold = sorted[scores.length - k];
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) scores[i] = -Infinity;
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
