/**
 * Numerically stable log-sum-exp, log-softmax and softmax over one row of scores. The exponentials are the cost of a
 * decode step's search (one per vocabulary entry per row), so they use {@link expNonPositive} rather than `Math.exp`.
 */

/**
 * Terms `exp(score - max)` below `exp(-64)` (~1.6e-28) are left out of a sum: the max's own term is 1, so even 1e11 of
 * them add less than half a float64 ulp of 1 (1.1e-16) and the rounded sum is unchanged.
 */
const NEGLIGIBLE_SHIFT = -64;

/** `exp(d) = 2^(n / 256) * exp(r)` with `|r| <= ln2 / 512`: 2^(n/256) from two tables, exp(r) from a degree-4 polynomial. */
const TABLE_BITS = 8;
const TABLE_SIZE = 1 << TABLE_BITS;
const STEPS_PER_UNIT = TABLE_SIZE / Math.LN2;
// ln2 / 256 split so that `n * STEP_HIGH` is exact for every n the range reaches (Cody-Waite reduction).
const STEP_HIGH = Math.fround(Math.LN2 / TABLE_SIZE);
const STEP_LOW = Math.LN2 / TABLE_SIZE - STEP_HIGH;
/** 2^(j / 256) for j in [0, 256). */
const FRACTION_POWERS = Float64Array.from({ length: TABLE_SIZE }, (_, j) => 2 ** (j / TABLE_SIZE));
/** 2^-m for the whole powers m a shift in [NEGLIGIBLE_SHIFT, 0] reaches (93 at -64). */
const WHOLE_POWERS = Float64Array.from({ length: 128 }, (_, m) => 2 ** -m);
/** Adding then subtracting 1.5 * 2^52 rounds a float64 of magnitude below 2^51 to the nearest integer. */
const ROUNDING_SHIFTER = 6755399441055744;

/**
 * `Math.exp(d)` for `NEGLIGIBLE_SHIFT <= d <= 0` within 3e-15 relative (a few float64 ulps, far below the float32
 * rounding of the scores), about three times faster than `Math.exp` in V8. NaN gives NaN.
 */
export function expNonPositive(d: number): number {
  const steps = d * STEPS_PER_UNIT + ROUNDING_SHIFTER - ROUNDING_SHIFTER;
  const n = steps | 0;
  const r = d - steps * STEP_HIGH - steps * STEP_LOW;
  const expR = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24))));
  return WHOLE_POWERS[-(n >> TABLE_BITS)] * FRACTION_POWERS[n & (TABLE_SIZE - 1)] * expR;
}

/** The largest score (`-Infinity` for an empty or fully masked row; NaN entries are ignored). */
export function maxScore(scores: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  return max;
}

/** `log(sum(exp(scores)))` in float64, given the row's `max` when the caller already has it; NaN for a fully masked row. */
export function logSumExp(scores: Float32Array, max: number = maxScore(scores)): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const shifted = scores[i] - max;
    if (shifted < NEGLIGIBLE_SHIFT) continue;
    sum += expNonPositive(shifted);
  }
  return max + Math.log(sum);
}

/** `out[i] = scores[i] - logsumexp(scores)`, rounded to float32 like torch; `-Infinity` stays `-Infinity`. */
export function logSoftmax(scores: Float32Array, out: Float32Array = new Float32Array(scores.length)): Float32Array {
  const max = maxScore(scores);
  if (max === -Infinity) {
    out.fill(-Infinity);
    return out;
  }
  const shift = logSumExp(scores, max);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] - shift;
  return out;
}

/** Probabilities (float64) of one row of scores; `-Infinity` entries get 0, tiny ones keep their tiny probability. */
export function softmax(scores: Float32Array): Float64Array {
  const probs = new Float64Array(scores.length);
  const max = maxScore(scores);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const shifted = scores[i] - max;
    // Sampling may reach the tail (beam sampling draws without replacement), so it keeps exact values there.
    const value = shifted < NEGLIGIBLE_SHIFT ? Math.exp(shifted) : expNonPositive(shifted);
    probs[i] = value;
    sum += value;
  }
  for (let i = 0; i < probs.length; i++) probs[i] /= sum;
  return probs;
}
