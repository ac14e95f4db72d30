/**
 * The decoder state's buffers: per layer the self-attention cache (keys `[rows, heads, dKv, capacity]`,
 * values `[rows, heads, capacity, dKv]`, so the step graph multiplies without transposing) and the
 * cross-attention keys/values (`[rows, heads, dKv, enc]` / `[rows, heads, enc, dKv]`); see cache-layout.ts.
 * Each row's cache is left-aligned: slot j holds decoder position j, slots from `positions[row]` on are empty.
 * Buffers may hold more rows than the state (`rowCapacity`): the scheduler's joins and departures then
 * rearrange rows in place instead of allocating the whole batch anew (see cache-rows.ts).
 */
import { gatherIntoNew, rowFloats, type CacheAxis, type CacheGeometry, type RowRef } from './cache-layout.js';
import { giveFloats, takeFloats } from './float-pool.js';
import type { DecoderState } from './types.js';

/** Cross-attention keys/values of some rows, padded to `encoderLength`. */
export interface CrossBuffers {
  readonly rows: number;
  /** Rows the buffers hold (at least `rows`; the live rows come first). */
  readonly rowCapacity: number;
  readonly encoderLength: number;
  readonly encoderLengths: readonly number[];
  /** Per row: an id of the encoded prompt row it came from (rows with equal ids hold equal buffers). */
  readonly origins: readonly number[];
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

/** One layer's buffers cut to the live rows: what the step graph is fed. */
export interface LayerFeeds {
  readonly selfKeys: Float32Array;
  readonly selfValues: Float32Array;
  readonly crossKeys: Float32Array;
  readonly crossValues: Float32Array;
}

/** What a state built from another takes over when that state ends (see {@link DecoderCache.handOver}). */
export interface HandedOver {
  /** The self caches (their arrays now belong to the new state). */
  readonly self: boolean;
  /** The cross buffers' arrays (now held by a new CrossBuffers of the new state). */
  readonly crossArrays: boolean;
}

/** The concrete {@link DecoderState}; mutated by the runtime's step only. */
export class DecoderCache implements DecoderState {
  positions: number[];
  capacity: number;
  /** Rows the self caches hold (at least `rows`). */
  readonly rowCapacity: number;
  selfKeys: Float32Array[];
  selfValues: Float32Array[];
  released = false;

  constructor(
    readonly geometry: CacheGeometry,
    readonly cross: CrossBuffers,
    init: {
      readonly positions: number[];
      readonly capacity: number;
      readonly rowCapacity?: number;
      readonly selfKeys?: Float32Array[];
      readonly selfValues?: Float32Array[];
    },
  ) {
    this.positions = init.positions;
    this.capacity = init.capacity;
    this.rowCapacity = init.rowCapacity ?? cross.rows;
    const size = this.rowCapacity * rowFloats(geometry, init.capacity);
    this.selfKeys = init.selfKeys ?? Array.from({ length: geometry.layers }, () => takeFloats(size, true));
    this.selfValues = init.selfValues ?? Array.from({ length: geometry.layers }, () => takeFloats(size, true));
    crossUsers.set(cross, (crossUsers.get(cross) ?? 0) + 1);
  }

  /** Drops the buffers (each self cache belongs to this state alone; cross buffers once no state uses them). */
  release(): void {
    this.handOver({ self: false, crossArrays: false });
  }

  /** Ends this state for one built from it: buffers it took over are not recycled, the others are as by release. */
  handOver(taken: HandedOver): void {
    this.released = true;
    if (!taken.self) giveFloats([...this.selfKeys, ...this.selfValues]);
    this.selfKeys = [];
    this.selfValues = [];
    const users = (crossUsers.get(this.cross) ?? 1) - 1;
    crossUsers.set(this.cross, users);
    if (users === 0 && ownedCross.has(this.cross) && !taken.crossArrays) giveFloats([...this.cross.keys, ...this.cross.values]);
  }

  get rows(): number {
    return this.cross.rows;
  }

  get encoderLengths(): readonly number[] {
    return this.cross.encoderLengths;
  }

  /** Whether this state alone uses its cross buffers and they were made here, so they may be rearranged in place. */
  ownsCrossAlone(): boolean {
    return ownedCross.has(this.cross) && crossUsers.get(this.cross) === 1;
  }

  /** Row `row` of layer `layer`'s self keys or values. */
  selfRow(axis: CacheAxis, layer: number, row: number): RowRef {
    const data = (axis === 'keys' ? this.selfKeys : this.selfValues)[layer] as Float32Array;
    return { data, row, length: this.capacity };
  }

  /** Layer `layer`'s buffers cut to the live rows (a row-major prefix: no copy). */
  layerFeeds(layer: number): LayerFeeds {
    const self = this.rows * rowFloats(this.geometry, this.capacity);
    const cross = this.rows * rowFloats(this.geometry, this.cross.encoderLength);
    const prefix = (data: Float32Array | undefined, length: number): Float32Array =>
      (data as Float32Array).length === length ? (data as Float32Array) : (data as Float32Array).subarray(0, length);
    return {
      selfKeys: prefix(this.selfKeys[layer], self),
      selfValues: prefix(this.selfValues[layer], self),
      crossKeys: prefix(this.cross.keys[layer], cross),
      crossValues: prefix(this.cross.values[layer], cross),
    };
  }

  /** Grows every row's cache to `capacity` slots (keeping contents and the room for rows). */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const old = [...this.selfKeys, ...this.selfValues];
    const rows = Array.from({ length: this.rows }, (_, row) => row);
    const target = { room: this.rowCapacity, length: capacity };
    const grown = (axis: CacheAxis, layer: number): Float32Array =>
      gatherIntoNew(
        axis,
        rows.map((row) => this.selfRow(axis, layer, row)),
        target,
        this.geometry,
      );
    this.selfKeys = this.selfKeys.map((_, layer) => grown('keys', layer));
    this.selfValues = this.selfValues.map((_, layer) => grown('values', layer));
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
/** Cross buffer sets made here (the encoder's outputs may still be held by their EncodedBatch). */
const ownedCross = new WeakSet<CrossBuffers>();

/** Marks a cross buffer set as made here: its arrays are recycled (or rearranged) once only one state uses them. */
export function ownCross(cross: CrossBuffers): CrossBuffers {
  ownedCross.add(cross);
  return cross;
}

/** One cross row: its buffers and its row there. */
export interface CrossPiece {
  readonly cross: CrossBuffers;
  readonly row: number;
}

/** Cross keys/values of the chosen rows, padded (zeros) to `encoderLength`, in buffers with room for `rowCapacity` rows. */
export function selectCross(
  pieces: readonly CrossPiece[],
  geometry: CacheGeometry,
  encoderLength: number,
  rowCapacity = pieces.length,
): CrossBuffers {
  const target = { room: rowCapacity, length: encoderLength };
  const rowsOf = (axis: CacheAxis, layer: number): RowRef[] => pieces.map((piece) => crossRow(piece, axis, layer));
  const layers = Array.from({ length: geometry.layers }, (_, layer) => layer);
  return ownCross({
    ...crossRows(pieces, encoderLength),
    rowCapacity,
    keys: layers.map((layer) => gatherIntoNew('keys', rowsOf('keys', layer), target, geometry)),
    values: layers.map((layer) => gatherIntoNew('values', rowsOf('values', layer), target, geometry)),
  });
}

/** The row facts of cross buffers holding `pieces` in order. */
export function crossRows(
  pieces: readonly CrossPiece[],
  encoderLength: number,
): Pick<CrossBuffers, 'rows' | 'encoderLength' | 'encoderLengths' | 'origins'> {
  return {
    rows: pieces.length,
    encoderLength,
    encoderLengths: pieces.map(({ cross, row }) => cross.encoderLengths[row] as number),
    origins: pieces.map(({ cross, row }) => cross.origins[row] as number),
  };
}

/** Row `piece.row` of layer `layer`'s cross keys or values. */
export function crossRow({ cross, row }: CrossPiece, axis: CacheAxis, layer: number): RowRef {
  return { data: (axis === 'keys' ? cross.keys : cross.values)[layer] as Float32Array, row, length: cross.encoderLength };
}
