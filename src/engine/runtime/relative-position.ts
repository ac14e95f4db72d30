/**
 * T5 relative-position buckets, computed as Hugging Face's `_relative_position_bucket` does:
 * in float32 (each step rounded to float32, then truncated), so bucket edges match exactly.
 */

/** Bucket parameters: the config's bucket count and max distance, and whether keys after the query count. */
export interface BucketOptions {
  readonly numBuckets: number;
  readonly maxDistance: number;
  readonly bidirectional: boolean;
}

/** The bucket of `relativePosition` (= key position - query position). */
export function relativePositionBucket(relativePosition: number, options: BucketOptions): number {
  let numBuckets = options.numBuckets;
  let bucket = 0;
  let distance: number;
  if (options.bidirectional) {
    numBuckets = Math.floor(numBuckets / 2);
    if (relativePosition > 0) bucket += numBuckets;
    distance = Math.abs(relativePosition);
  } else {
    distance = -Math.min(relativePosition, 0);
  }
  const maxExact = Math.floor(numBuckets / 2);
  if (distance < maxExact) return bucket + distance;
  const f = Math.fround;
  const logRatio = f(Math.log(f(distance / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(options.maxDistance / maxExact))) * (numBuckets - maxExact));
  return bucket + Math.min(maxExact + Math.trunc(scaled), numBuckets - 1);
}

/** Buckets for every (query, key) pair of a `length`-token encoder: `[length, length]` int64, row = query. */
export function encoderBuckets(length: number, options: BucketOptions): BigInt64Array {
  // One lookup per distance instead of per pair.
  const byOffset = new Map<number, bigint>();
  const result = new BigInt64Array(length * length);
  for (let query = 0; query < length; query++) {
    for (let key = 0; key < length; key++) {
      const offset = key - query;
      let bucket = byOffset.get(offset);
      if (bucket === undefined) {
        bucket = BigInt(relativePositionBucket(offset, options));
        byOffset.set(offset, bucket);
      }
      result[query * length + key] = bucket;
    }
  }
  return result;
}

/** Causal decoder buckets by distance (query - key), 0..`count`-1. */
export function decoderBucketTable(count: number, options: Omit<BucketOptions, 'bidirectional'>): BigInt64Array {
  const table = new BigInt64Array(count);
  for (let distance = 0; distance < count; distance++) {
    table[distance] = BigInt(relativePositionBucket(-distance, { ...options, bidirectional: false }));
  }
  return table;
}
