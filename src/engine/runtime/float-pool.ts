/**
 * Float32Arrays of released decoder caches, kept for the next cache of the same size. Fresh memory costs page
 * faults and zeroing: a 16-row merge of t5-small caches (about 50 MB) spent 18 of its 19 ms of CPU allocating,
 * 1.4 ms copying.
 */

/**
 * Most bytes kept for reuse; past it, released buffers are left to the garbage collector. Joins and departures
 * now rearrange rows in place (cache-rows.ts), so what comes back is mostly the small states of joining prompts;
 * kept buffers count in the serving peak (64 MiB: t5-small fp32 peaked about 17 MiB higher in the bench).
 */
const POOL_BYTES = 16 * 2 ** 20;

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
