/**
 * The decoder state's buffers: per layer the self-attention cache (keys `[rows, heads, dKv, capacity]`,
 * values `[rows, heads, capacity, dKv]`, so the step graph multiplies without transposing) and the
 * cross-attention keys/values (`[rows, heads, dKv, enc]` / `[rows, heads, enc, dKv]`).
 * Each row's cache is left-aligned: slot j holds decoder position j, slots from `positions[row]` on are empty.
 */
import { giveFloats, takeFloats } from './float-pool.js';
import type { DecoderState } from './types.js';

/** Sizes shared by every buffer of a runtime. */
export interface CacheGeometry {
  readonly layers: number;
  readonly heads: number;
  readonly dKv: number;
}

/** Cross-attention keys/values of some rows, padded to `encoderLength`. */
export interface CrossBuffers {
  readonly rows: number;
  readonly encoderLength: number;
  readonly encoderLengths: readonly number[];
  /** Per row: an id of the encoded prompt row it came from (rows with equal ids hold equal buffers). */
  readonly origins: readonly number[];
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

/** The concrete {@link DecoderState}; mutated by the runtime's step only. */
export class DecoderCache implements DecoderState {
  positions: number[];
  capacity: number;
  selfKeys: Float32Array[];
  selfValues: Float32Array[];
  released = false;

  constructor(
    readonly geometry: CacheGeometry,
    readonly cross: CrossBuffers,
    init: {
      readonly positions: number[];
      readonly capacity: number;
      readonly selfKeys?: Float32Array[];
      readonly selfValues?: Float32Array[];
    },
  ) {
    this.positions = init.positions;
    this.capacity = init.capacity;
    const size = cross.rows * geometry.heads * geometry.dKv * init.capacity;
    this.selfKeys = init.selfKeys ?? Array.from({ length: geometry.layers }, () => takeFloats(size, true));
    this.selfValues = init.selfValues ?? Array.from({ length: geometry.layers }, () => takeFloats(size, true));
    crossUsers.set(cross, (crossUsers.get(cross) ?? 0) + 1);
  }

  /** Drops the buffers (each self cache belongs to this state alone; cross buffers once no state uses them). */
  release(): void {
    this.released = true;
    giveFloats([...this.selfKeys, ...this.selfValues]);
    this.selfKeys = [];
    this.selfValues = [];
    const users = (crossUsers.get(this.cross) ?? 1) - 1;
    crossUsers.set(this.cross, users);
    if (users === 0 && ownedCross.has(this.cross)) giveFloats([...this.cross.keys, ...this.cross.values]);
  }

  get rows(): number {
    return this.cross.rows;
  }

  get encoderLengths(): readonly number[] {
    return this.cross.encoderLengths;
  }

  /** Grows every row's cache to `capacity` slots (keeping contents). */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const rowMap = Array.from({ length: this.rows }, (_, row) => row);
    const old = [...this.selfKeys, ...this.selfValues];
    this.selfKeys = this.selfKeys.map((keys) => copyKeys(this, keys, { rowMap, capacity }));
    this.selfValues = this.selfValues.map((values) => copyValues(this, values, { rowMap, capacity }));
    this.capacity = capacity;
    giveFloats(old);
  }

  /** Writes the new token's key/value (`[rows, heads, dKv]` each) of `layer` at each row's position. */
  append(layer: number, newKeys: Float32Array, newValues: Float32Array): void {
    const { heads, dKv } = this.geometry;
    const capacity = this.capacity;
    const keys = this.selfKeys[layer] as Float32Array;
    const values = this.selfValues[layer] as Float32Array;
    for (let row = 0; row < this.rows; row++) {
      const slot = this.positions[row] as number;
      for (let head = 0; head < heads; head++) {
        const source = (row * heads + head) * dKv;
        const keyBase = (row * heads + head) * dKv * capacity + slot;
        for (let d = 0; d < dKv; d++) keys[keyBase + d * capacity] = newKeys[source + d] as number;
        values.set(newValues.subarray(source, source + dKv), ((row * heads + head) * capacity + slot) * dKv);
      }
    }
  }
}

/** States using each cross buffer set (beams of one prompt share one); at 0 a set made here is recycled. */
const crossUsers = new WeakMap<CrossBuffers, number>();
/** Cross buffer sets made by {@link selectCross} (the encoder's outputs may still be held by their EncodedBatch). */
const ownedCross = new WeakSet<CrossBuffers>();

/** Where each output row comes from: `sources[i]` = state, `rowMap[i]` = its row there. */
interface RowPlan {
  readonly rowMap: readonly number[];
  readonly capacity: number;
}

/** Self keys `[rows, heads, dKv, cap]` of `from` rearranged per `plan` into a new buffer. */
function copyKeys(from: DecoderCache, keys: Float32Array, plan: RowPlan): Float32Array {
  const { heads, dKv } = from.geometry;
  const result = takeFloats(plan.rowMap.length * heads * dKv * plan.capacity, from.capacity !== plan.capacity);
  if (from.capacity === plan.capacity) return copyRowBlocks(keys, plan.rowMap, result, heads * dKv * plan.capacity);
  const used = Math.min(from.capacity, plan.capacity);
  plan.rowMap.forEach((sourceRow, row) => {
    for (let line = 0; line < heads * dKv; line++) {
      const source = (sourceRow * heads * dKv + line) * from.capacity;
      result.set(keys.subarray(source, source + used), (row * heads * dKv + line) * plan.capacity);
    }
  });
  return result;
}

/** Self values `[rows, heads, cap, dKv]` of `from` rearranged per `plan`. */
function copyValues(from: DecoderCache, values: Float32Array, plan: RowPlan): Float32Array {
  const { heads, dKv } = from.geometry;
  const result = takeFloats(plan.rowMap.length * heads * plan.capacity * dKv, from.capacity !== plan.capacity);
  if (from.capacity === plan.capacity) return copyRowBlocks(values, plan.rowMap, result, heads * dKv * plan.capacity);
  const used = Math.min(from.capacity, plan.capacity) * dKv;
  plan.rowMap.forEach((sourceRow, row) => {
    for (let head = 0; head < heads; head++) {
      const source = (sourceRow * heads + head) * from.capacity * dKv;
      result.set(values.subarray(source, source + used), (row * heads + head) * plan.capacity * dKv);
    }
  });
  return result;
}

// Where source and result rows have the same size, a row is one contiguous block: one copy per row instead of one
// per head line (a 16-row merge of t5-small went from about 38 to a few ms of CPU).
function copyRowBlocks(source: Float32Array, rowMap: readonly number[], result: Float32Array, block: number): Float32Array {
  rowMap.forEach((sourceRow, row) => result.set(source.subarray(sourceRow * block, (sourceRow + 1) * block), row * block));
  return result;
}

/** Cross keys/values of the chosen rows, padded (zeros) to `encoderLength`. */
export function selectCross(
  pieces: readonly { readonly cross: CrossBuffers; readonly row: number }[],
  geometry: CacheGeometry,
  encoderLength: number,
): CrossBuffers {
  const { heads, dKv, layers } = geometry;
  const keys: Float32Array[] = [];
  const values: Float32Array[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const padded = pieces.some(({ cross }) => cross.encoderLength !== encoderLength);
    const layerKeys = takeFloats(pieces.length * heads * dKv * encoderLength, padded);
    const layerValues = takeFloats(pieces.length * heads * encoderLength * dKv, padded);
    pieces.forEach(({ cross, row: sourceRow }, row) => {
      const sourceLength = cross.encoderLength;
      if (sourceLength === encoderLength) {
        const block = heads * dKv * encoderLength;
        copyRowBlocks(cross.keys[layer] as Float32Array, [sourceRow], layerKeys.subarray(row * block, (row + 1) * block), block);
        copyRowBlocks(cross.values[layer] as Float32Array, [sourceRow], layerValues.subarray(row * block, (row + 1) * block), block);
        return;
      }
      const sourceKeys = cross.keys[layer] as Float32Array;
      for (let line = 0; line < heads * dKv; line++) {
        const source = (sourceRow * heads * dKv + line) * sourceLength;
        layerKeys.set(sourceKeys.subarray(source, source + sourceLength), (row * heads * dKv + line) * encoderLength);
      }
      const sourceValues = cross.values[layer] as Float32Array;
      const block = heads * sourceLength * dKv;
      for (let head = 0; head < heads; head++) {
        const source = sourceRow * block + head * sourceLength * dKv;
        layerValues.set(sourceValues.subarray(source, source + sourceLength * dKv), (row * heads + head) * encoderLength * dKv);
      }
    });
    keys.push(layerKeys);
    values.push(layerValues);
  }
  const encoderLengths = pieces.map(({ cross, row }) => cross.encoderLengths[row] as number);
  const origins = pieces.map(({ cross, row }) => cross.origins[row] as number);
  const selected = { rows: pieces.length, encoderLength, encoderLengths, origins, keys, values };
  ownedCross.add(selected);
  return selected;
}

/** A new cache holding `pieces` (state, row) in order, with every row's self cache and cross buffers copied. */
export function gatherRows(
  pieces: readonly { readonly state: DecoderCache; readonly row: number }[],
  geometry: CacheGeometry,
): DecoderCache {
  const encoderLength = Math.max(1, ...pieces.map(({ state }) => state.cross.encoderLength));
  const positions = pieces.map(({ state, row }) => state.positions[row] as number);
  const capacity = Math.max(1, ...pieces.map(({ state }) => state.capacity));
  const first = pieces[0]?.state;
  if (first !== undefined && pieces.every(({ state }) => state === first))
    return selectFromOne(
      first,
      pieces.map(({ row }) => row),
    );
  const cross = selectCross(
    pieces.map(({ state, row }) => ({ cross: state.cross, row })),
    geometry,
    encoderLength,
  );
  const selfKeys: Float32Array[] = [];
  const selfValues: Float32Array[] = [];
  for (let layer = 0; layer < geometry.layers; layer++) {
    const resized = pieces.some(({ state }) => state.capacity !== capacity);
    const keys = takeFloats(pieces.length * geometry.heads * geometry.dKv * capacity, resized);
    const values = takeFloats(keys.length, resized);
    const block = geometry.heads * geometry.dKv * capacity;
    pieces.forEach(({ state, row: sourceRow }, row) => {
      const one = { rowMap: [sourceRow], capacity };
      const [sourceKeys, sourceValues] = [state.selfKeys[layer] as Float32Array, state.selfValues[layer] as Float32Array];
      if (state.capacity === capacity) {
        copyRowBlocks(sourceKeys, [sourceRow], keys.subarray(row * block, (row + 1) * block), block);
        copyRowBlocks(sourceValues, [sourceRow], values.subarray(row * block, (row + 1) * block), block);
        return;
      }
      keys.set(copyKeys(state, sourceKeys, one), row * block);
      values.set(copyValues(state, sourceValues, one), row * block);
    });
    selfKeys.push(keys);
    selfValues.push(values);
  }
  return new DecoderCache(geometry, cross, { positions, capacity, selfKeys, selfValues });
}

// Rows of one state (beam reorder, dropping finished rows): cross buffers are reused when each new row
// comes from the same prompt row as the row already at that index, as beams of one request do.
function selectFromOne(state: DecoderCache, rowMap: readonly number[]): DecoderCache {
  const { cross, geometry } = state;
  const sameCross = rowMap.length === cross.rows && rowMap.every((source, row) => cross.origins[source] === cross.origins[row]);
  const newCross = sameCross
    ? cross
    : selectCross(
        rowMap.map((row) => ({ cross, row })),
        geometry,
        cross.encoderLength,
      );
  const plan = { rowMap, capacity: state.capacity };
  return new DecoderCache(geometry, newCross, {
    positions: rowMap.map((row) => state.positions[row] as number),
    capacity: state.capacity,
    selfKeys: state.selfKeys.map((keys) => copyKeys(state, keys, plan)),
    selfValues: state.selfValues.map((values) => copyValues(state, values, plan)),
  });
}
