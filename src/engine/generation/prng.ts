/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) so sampling with
 * a given seed is reproducible run to run and independent of batching. It does not reproduce torch's RNG.
 */
import { randomBytes } from 'node:crypto';

/** Uniform numbers for sampling. */
export interface Prng {
  /** A float in [0, 1) with 53 random bits. */
  next(): number;
}

/** A generator seeded from `seed` (a non-negative integer up to 2^53); absent = a random seed. */
export function createPrng(seed: number = randomSeed()): Prng {
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  let mix = (low ^ Math.imul(high, 0x9e3779b1)) >>> 0;
  const splitmix = (): number => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const state = new Uint32Array([splitmix(), splitmix() ^ high, splitmix(), splitmix() | 1]);
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(state[1], 5), 7), 9) >>> 0;
    const shifted = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= shifted;
    state[3] = rotl(state[3], 11);
    return result;
  };
  return { next: () => ((next32() >>> 5) * 2 ** 26 + (next32() >>> 6)) / 2 ** 53 };
}

/** A fresh random seed (non-negative, below 2^53). */
export function randomSeed(): number {
  const bytes = randomBytes(8);
  return (bytes.readUInt32LE(0) & 0x1fffff) * 2 ** 32 + bytes.readUInt32LE(4);
}

/** Draws an index from `probs` (which sum to 1); entries with probability 0 are never drawn. */
export function sampleIndex(probs: Float64Array, prng: Prng): number {
  const target = prng.next();
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    cumulative += probs[i];
    last = i;
    if (target < cumulative) return i;
  }
  return last;
}

function rotl(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}
