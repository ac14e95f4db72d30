/** Numerically stable log-softmax and softmax over one row of scores. */

/** `out[i] = scores[i] - logsumexp(scores)`, rounded to float32 like torch; `-Infinity` stays `-Infinity`. */
export function logSoftmax(scores: Float32Array, out: Float32Array = new Float32Array(scores.length)): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  if (max === -Infinity) {
    out.fill(-Infinity);
    return out;
  }
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i] - max);
  const shift = max + Math.log(sum);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] - shift;
  return out;
}

/** Probabilities (float64) of one row of scores; `-Infinity` entries get 0. */
export function softmax(scores: Float32Array): Float64Array {
  const probs = new Float64Array(scores.length);
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const value = Math.exp(scores[i] - max);
    probs[i] = value;
    sum += value;
  }
  for (let i = 0; i < probs.length; i++) probs[i] /= sum;
  return probs;
}
