/**
 * Step-level candidate selection of HF v4.36 beam search and beam sampling: the `2 * numBeams` best
 * (or sampled) continuations over all beams of one search, best first.
 */
import { softmax } from './log-softmax.js';
import type { Prng } from './prng.js';

/** One continuation: beam `beam` extended by `token`, with the new running score. */
export interface Candidate {
  readonly score: number;
  readonly token: number;
  readonly beam: number;
}

/**
 * The `count` highest of `scores[beam][token] + offsets[beam]` (added in float32, as torch adds the running
 * beam scores), best first; ties keep the lower index first. Offsets default to 0.
 */
export function topCandidates(scores: readonly Float32Array[], count: number, offsets?: readonly number[]): Candidate[] {
  const best: Candidate[] = [];
  // Score a newcomer must beat: the current count-th best once the list is full.
  let threshold = -Infinity;
  for (let beam = 0; beam < scores.length; beam++) {
    const row = scores[beam];
    const offset = offsets?.[beam] ?? 0;
    for (let token = 0; token < row.length; token++) {
      const score = Math.fround(row[token] + offset);
      if (best.length === count && !(score > threshold)) continue;
      let at = best.length === count ? count - 1 : best.length;
      while (at > 0 && best[at - 1].score < score) at--;
      best.splice(at, 0, { score, token, beam });
      if (best.length > count) best.pop();
      if (best.length === count) threshold = best[count - 1].score;
    }
  }
  return best;
}

/**
 * HF beam sampling: softmax over all beams' warped totals, `count` draws without replacement
 * (as `torch.multinomial(..., replacement=False)`), then sorted by score, best first.
 */
export function sampleCandidates(totals: readonly Float32Array[], count: number, prng: Prng): Candidate[] {
  const vocab = totals[0].length;
  const flat = new Float32Array(vocab * totals.length);
  totals.forEach((row, beam) => flat.set(row, beam * vocab));
  const probs = softmax(flat);
  const drawn: Candidate[] = [];
  let remaining = 1;
  for (let draw = 0; draw < count && remaining > 0; draw++) {
    const target = prng.next() * remaining;
    let cumulative = 0;
    let chosen = -1;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i] <= 0) continue;
      cumulative += probs[i];
      chosen = i;
      if (target < cumulative) break;
    }
    if (chosen < 0) break;
    remaining -= probs[chosen];
    probs[chosen] = 0;
    drawn.push({ score: flat[chosen], token: chosen % vocab, beam: Math.floor(chosen / vocab) });
  }
  return drawn.sort((a, b) => b.score - a.score);
}
