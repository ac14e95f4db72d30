/**
 * Float32Arrays of released decoder caches, kept for the next cache of the same size. Fresh memory costs page
 * faults and zeroing: a 16-row merge of t5-small caches (about 50 MB) spent 18 of its 19 ms of CPU allocating,
 * 1.4 ms copying. Joins and departures of continuous batching rebuild the caches every few steps.
 */

/** Most bytes kept for reuse (about one 16-row set of t5-small caches); past it, released buffers are left to the garbage collector. */
const POOL_BYTES = 64 * 2 ** 20;

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/** A buffer of `length` floats: a recycled one when there is one (zero-filled only when `zeroed`), else a new one. */
export function takeFloats(length: number, zeroed: boolean): Float32Array {
  const buffer = free.get(length)?.pop();
  if (buffer === undefined) return new Float32Array(length);
  pooledBytes -= buffer.byteLength;
  return zeroed ? buffer.fill(0) : buffer;
}

/** Hands buffers no state uses any more back for reuse. */
export function giveFloats(buffers: readonly Float32Array[]): void {
  for (const buffer of buffers) {
    if (buffer.length === 0 || pooledBytes + buffer.byteLength > POOL_BYTES) continue;
    const list = free.get(buffer.length) ?? [];
    list.push(buffer);
    free.set(buffer.length, list);
    pooledBytes += buffer.byteLength;
  }
}
