/**
 * Row operations every runtime's decoder state shares: choose rows (beam reorder, finished rows
 * leaving), merge states (requests joining), release buffers, and the check that a state belongs here.
 * With `releaseInputs` the first input's buffers are rearranged in place when they have room (the continuous
 * batcher's joins copy only the newcomers' rows; departures move rows down), and buffers that must be
 * reallocated get room for a power-of-two count of rows, so a growing batch reallocates rarely.
 */
import { gatherIntoNew, planInPlace, rearrangeInPlace, rowRoom, type CacheAxis, type CacheGeometry, type RowRef } from './cache-layout.js';
import {
  crossRow,
  crossRows,
  DecoderCache,
  ownCross,
  selectCross,
  type CrossBuffers,
  type CrossPiece,
  type HandedOver,
} from './decoder-cache.js';
import { runtimeInputInvalid, stateInvalid } from './errors.js';
import type { DecoderState, RowOperationOptions } from './types.js';

/** Row operations over the {@link DecoderCache}s of one runtime (identified by its geometry object). */
export class CacheRows {
  constructor(readonly geometry: CacheGeometry) {}

  /** The state as this runtime's cache; ENGINE_STATE_INVALID when it came from elsewhere or was released. */
  own(state: DecoderState, field: string): DecoderCache {
    if (!(state instanceof DecoderCache) || state.geometry !== this.geometry) throw stateInvalid(field, 'a DecoderState from this runtime');
    if (state.released) throw stateInvalid(field, 'a state not yet released');
    return state;
  }

  /** A new state with the given rows of `state`, in order. */
  select(state: DecoderState, rows: readonly number[], options: RowOperationOptions = {}): DecoderState {
    const cache = this.own(state, 'state');
    for (const row of rows)
      if (!Number.isInteger(row) || row < 0 || row >= cache.rows)
        throw runtimeInputInvalid('rows', row, `a row index in 0..${cache.rows - 1}`);
    if (rows.length === 0) throw runtimeInputInvalid('rows', [], 'at least one row');
    return this.gather(
      rows.map((row) => ({ state: cache, row })),
      [cache],
      options,
    );
  }

  /** A new state with the rows of every state, in order. */
  merge(states: readonly DecoderState[], options: RowOperationOptions = {}): DecoderState {
    const caches = states.map((state, index) => this.own(state, `states[${index}]`));
    if (caches.length === 0) throw runtimeInputInvalid('states', [], 'at least one state');
    if (options.releaseInputs === true && new Set(caches).size !== caches.length)
      throw runtimeInputInvalid('states', `${caches.length} states, some repeated`, 'distinct states when releaseInputs is set');
    return this.gather(
      caches.flatMap((state) => Array.from({ length: state.rows }, (_, row) => ({ state, row }))),
      caches,
      options,
    );
  }

  /** Drops a state's buffers; using it afterwards is refused. */
  release(state: DecoderState): void {
    this.own(state, 'state').release();
  }

  private gather(pieces: readonly RowPiece[], inputs: readonly DecoderCache[], options: RowOperationOptions): DecoderState {
    if (options.releaseInputs !== true) return gatherRows(pieces, this.geometry).state;
    const [target, ...others] = inputs as [DecoderCache, ...DecoderCache[]];
    const expectedRows = options.expectedRows ?? 0;
    if (!Number.isInteger(expectedRows) || expectedRows < 0)
      throw runtimeInputInvalid('expectedRows', expectedRows, 'a row count (an integer >= 0)');
    const { state, taken } = gatherRows(pieces, this.geometry, { state: target, expectedRows });
    target.handOver(taken);
    for (const other of others) other.release();
    return state;
  }
}

/** One output row: a state and its row there. */
interface RowPiece {
  readonly state: DecoderCache;
  readonly row: number;
}

/** A state that ends with the row operation, whose buffers the result may keep, and the rows the result may grow to. */
interface Reuse {
  readonly state: DecoderCache;
  readonly expectedRows: number;
}

/**
 * A new cache holding `pieces` (state, row) in order. Without `reuse`, every buffer is new and sized to the rows;
 * with it, the ending state's self and cross buffers are rearranged in place where they have room, and
 * reallocated ones get room for {@link rowRoom} of the rows (or of the expected rows). `taken` says which of the
 * ending state's buffers the result kept.
 */
function gatherRows(
  pieces: readonly RowPiece[],
  geometry: CacheGeometry,
  reuse?: Reuse,
): { readonly state: DecoderCache; readonly taken: HandedOver } {
  const positions = pieces.map(({ state, row }) => state.positions[row] as number);
  const capacity = Math.max(...pieces.map(({ state }) => state.capacity));
  const self = gatherSelf(pieces, { geometry, capacity }, reuse);
  const cross = gatherCross(pieces, geometry, reuse);
  const state = new DecoderCache(geometry, cross.buffers, { positions, capacity, ...self.buffers });
  return { state, taken: { self: self.inPlace, crossArrays: cross.inPlace } };
}

/** Room for rows of a buffer gathered anew. */
function roomFor(rows: number, reuse: Reuse | undefined): number {
  return reuse === undefined ? rows : rowRoom(Math.max(rows, reuse.expectedRows));
}

function gatherSelf(
  pieces: readonly RowPiece[],
  target: { readonly geometry: CacheGeometry; readonly capacity: number },
  reuse: Reuse | undefined,
): { readonly buffers: { rowCapacity: number; selfKeys: Float32Array[]; selfValues: Float32Array[] }; readonly inPlace: boolean } {
  const { geometry, capacity } = target;
  const layers = Array.from({ length: geometry.layers }, (_, layer) => layer);
  const sourceRow = (axis: CacheAxis, layer: number, index: number): RowRef => {
    const { state, row } = pieces[index] as RowPiece;
    return state.selfRow(axis, layer, row);
  };
  const ending = reuse?.state;
  if (ending !== undefined && pieces.length <= ending.rowCapacity && capacity === ending.capacity) {
    const plan = planInPlace(pieces.map(({ state, row }) => (state === ending ? row : -1)));
    for (const layer of layers)
      for (const axis of ['keys', 'values'] as const)
        rearrangeInPlace(axis, ending.selfRow(axis, layer, 0), { plan, other: (index) => sourceRow(axis, layer, index) }, geometry);
    return { buffers: { rowCapacity: ending.rowCapacity, selfKeys: ending.selfKeys, selfValues: ending.selfValues }, inPlace: true };
  }
  const room = roomFor(pieces.length, reuse);
  const gathered = (axis: CacheAxis): Float32Array[] =>
    layers.map((layer) =>
      gatherIntoNew(
        axis,
        pieces.map((_, index) => sourceRow(axis, layer, index)),
        { room, length: capacity },
        geometry,
      ),
    );
  return { buffers: { rowCapacity: room, selfKeys: gathered('keys'), selfValues: gathered('values') }, inPlace: false };
}

// Cross buffers: kept as they are when the rows come, in order, from the prompt rows the first state's buffers
// already hold (beams of one request reordered); rearranged in place when `reuse` alone holds them and they have
// room, rows and encoder length, without more than doubling the rows' longest prompt (every step attends over the
// padded length: once a long prompt has left, the buffers are gathered anew at the shorter one); otherwise gathered anew.
function gatherCross(
  pieces: readonly RowPiece[],
  geometry: CacheGeometry,
  reuse: Reuse | undefined,
): { readonly buffers: CrossBuffers; readonly inPlace: boolean } {
  const crossPieces: CrossPiece[] = pieces.map(({ state, row }) => ({ cross: state.cross, row }));
  const encoderLength = Math.max(...crossPieces.map(({ cross }) => cross.encoderLength));
  const first = (pieces[0] as RowPiece).state.cross;
  const same =
    crossPieces.length === first.rows &&
    encoderLength === first.encoderLength &&
    crossPieces.every(({ cross, row }, index) => cross.origins[row] === first.origins[index]);
  if (same) return { buffers: first, inPlace: false };
  const held = reuse?.state.cross;
  if (
    held !== undefined &&
    reuse?.state.ownsCrossAlone() === true &&
    crossPieces.length <= held.rowCapacity &&
    encoderLength <= held.encoderLength &&
    2 * encoderLength > held.encoderLength
  ) {
    const plan = planInPlace(crossPieces.map(({ cross, row }) => (cross === held ? row : -1)));
    for (let layer = 0; layer < geometry.layers; layer++)
      for (const axis of ['keys', 'values'] as const)
        rearrangeInPlace(
          axis,
          crossRow({ cross: held, row: 0 }, axis, layer),
          { plan, other: (index) => crossRow(crossPieces[index] as CrossPiece, axis, layer) },
          geometry,
        );
    const buffers = ownCross({
      ...crossRows(crossPieces, held.encoderLength),
      rowCapacity: held.rowCapacity,
      keys: held.keys,
      values: held.values,
    });
    return { buffers, inPlace: true };
  }
  return { buffers: selectCross(crossPieces, geometry, encoderLength, roomFor(crossPieces.length, reuse)), inPlace: false };
}
