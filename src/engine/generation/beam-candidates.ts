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

/** The `count` highest entries of `totals` (`[beams, vocab]` flattened, float32), best first; ties keep the lower index first. */
export function topCandidates(totals: readonly Float32Array[], count: number): Candidate[] {
  const best: Candidate[] = [];
  totals.forEach((row, beam) => {
    for (let token = 0; token < row.length; token++) {
      const score = row[token];
      if (best.length === count && !(score > best[count - 1].score)) continue;
      let at = best.length === count ? count - 1 : best.length;
      while (at > 0 && best[at - 1].score < score) at--;
      best.splice(at, 0, { score, token, beam });
      if (best.length > count) best.pop();
    }
  });
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
