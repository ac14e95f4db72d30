/**
 * How decoder cache tensors lay out their rows, and the row copies that merges, selects and growth make.
 * Every cache tensor is `[rows, heads, ...]`, row-major, with one axis of `length` slots: keys are
 * `[rows, heads, dKv, length]`, values `[rows, heads, length, dKv]` (self caches: length = slot capacity;
 * cross-attention: the padded encoder length). A buffer may hold more rows than are live, room for rows that
 * join later; the live rows are always its first ones, so the step graph is fed a prefix of the buffer.
 */
import { giveFloats, takeFloats } from './float-pool.js';

/** Sizes shared by every buffer of a runtime. */
export interface CacheGeometry {
  readonly layers: number;
  readonly heads: number;
  readonly dKv: number;
}

/** Which of the two layouts a buffer has: keys `[heads, dKv, length]` or values `[heads, length, dKv]` per row. */
export type CacheAxis = 'keys' | 'values';

/** One row of a cache buffer: the buffer, the row's index in it and the buffer's slots per row. */
export interface RowRef {
  readonly data: Float32Array;
  readonly row: number;
  readonly length: number;
}

/**
 * Rows a reallocated buffer makes room for: the next power of two, so a batch that grows by joins reallocates
 * about log2(rows) times instead of at every join, and released buffers come back in a few sizes the pool matches.
 */
export function rowRoom(rows: number): number {
  let room = 1;
  while (room < rows) room *= 2;
  return room;
}

/** Floats of one row at `length` slots (keys and values alike). */
export function rowFloats(geometry: CacheGeometry, length: number): number {
  return geometry.heads * geometry.dKv * length;
}

/**
 * Copies one row into another (of the same buffer or another one). Rows of equal length are one contiguous
 * block: one copy (a 16-row merge of t5-small went from about 38 to a few ms of CPU against one copy per head line).
 * Otherwise each line is copied up to the shorter length and the target's remaining slots are zeroed.
 */
export function copyRow(axis: CacheAxis, from: RowRef, to: RowRef, geometry: CacheGeometry): void {
  const block = rowFloats(geometry, to.length);
  const target = to.row * block;
  if (from.length === to.length) {
    const source = from.row * block;
    if (from.data === to.data) to.data.copyWithin(target, source, source + block);
    else to.data.set(from.data.subarray(source, source + block), target);
    return;
  }
  to.data.fill(0, target, target + block);
  const { heads, dKv } = geometry;
  const used = Math.min(from.length, to.length);
  const sourceBase = from.row * rowFloats(geometry, from.length);
  if (axis === 'keys') {
    for (let line = 0; line < heads * dKv; line++) {
      const source = sourceBase + line * from.length;
      to.data.set(from.data.subarray(source, source + used), target + line * to.length);
    }
    return;
  }
  for (let head = 0; head < heads; head++) {
    const source = sourceBase + head * from.length * dKv;
    to.data.set(from.data.subarray(source, source + used * dKv), target + head * to.length * dKv);
  }
}

/** A new buffer with room for `room` rows of `length` slots, row i copied from `sources[i]`. */
export function gatherIntoNew(
  axis: CacheAxis,
  sources: readonly RowRef[],
  target: { readonly room: number; readonly length: number },
  geometry: CacheGeometry,
): Float32Array {
  // Unused slots need no zeros: the step masks them, and rows of a different length are zero-filled by copyRow.
  const data = takeFloats(target.room * rowFloats(geometry, target.length), false);
  sources.forEach((from, row) => copyRow(axis, from, { data, row, length: target.length }, geometry));
  return data;
}

/**
 * How one buffer is rearranged in place: per output row, the row of that buffer it takes (-1: it is copied
 * from another buffer), and the rows to set aside first because a later output row needs them after their own
 * row was overwritten (beam reorders; departures, whose sources only move down, need none).
 */
export interface InPlacePlan {
  readonly ownRows: readonly number[];
  /** Row of the buffer -> its row in the scratch buffer. */
  readonly setAside: ReadonlyMap<number, number>;
}

/** The plan for output rows taken, in order, from `ownRows` (-1: from elsewhere). */
export function planInPlace(ownRows: readonly number[]): InPlacePlan {
  const setAside = new Map<number, number>();
  ownRows.forEach((_, row) => {
    if (ownRows[row] !== row && ownRows.lastIndexOf(row) > row) setAside.set(row, setAside.size);
  });
  return { ownRows, setAside };
}

/**
 * Rearranges the rows of a buffer (`length` slots per row) in place as `sources.plan` says; rows from elsewhere
 * come from `sources.other(row)`. Output rows are written in order, so a source row not set aside is still intact
 * when read.
 */
export function rearrangeInPlace(
  axis: CacheAxis,
  buffer: { readonly data: Float32Array; readonly length: number },
  sources: { readonly plan: InPlacePlan; readonly other: (row: number) => RowRef },
  geometry: CacheGeometry,
): void {
  const { data, length } = buffer;
  const { plan, other } = sources;
  const scratch = plan.setAside.size === 0 ? undefined : takeFloats(plan.setAside.size * rowFloats(geometry, length), false);
  if (scratch !== undefined)
    for (const [row, slot] of plan.setAside) copyRow(axis, { data, row, length }, { data: scratch, row: slot, length }, geometry);
  plan.ownRows.forEach((source, row) => {
    const to = { data, row, length };
    if (source < 0) copyRow(axis, other(row), to, geometry);
    else if (source !== row) {
      const slot = plan.setAside.get(source);
      copyRow(
        axis,
        slot === undefined || scratch === undefined ? { data, row: source, length } : { data: scratch, row: slot, length },
        to,
        geometry,
      );
    }
  });
  if (scratch !== undefined) giveFloats([scratch]);
}
