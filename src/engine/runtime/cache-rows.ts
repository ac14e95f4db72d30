/**
 * Row operations every runtime's decoder state shares: choose rows (beam reorder, finished rows
 * leaving), merge states (requests joining), release buffers, and the check that a state belongs here.
 */
import { DecoderCache, gatherRows, type CacheGeometry } from './decoder-cache.js';
import { runtimeInputInvalid, stateInvalid } from './errors.js';
import type { DecoderState } from './types.js';

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
  select(state: DecoderState, rows: readonly number[]): DecoderState {
    const cache = this.own(state, 'state');
    for (const row of rows)
      if (!Number.isInteger(row) || row < 0 || row >= cache.rows)
        throw runtimeInputInvalid('rows', row, `a row index in 0..${cache.rows - 1}`);
    if (rows.length === 0) throw runtimeInputInvalid('rows', [], 'at least one row');
    return gatherRows(
      rows.map((row) => ({ state: cache, row })),
      this.geometry,
    );
  }

  /** A new state with the rows of every state, in order. */
  merge(states: readonly DecoderState[]): DecoderState {
    const caches = states.map((state, index) => this.own(state, `states[${index}]`));
    if (caches.length === 0) throw runtimeInputInvalid('states', [], 'at least one state');
    return gatherRows(
      caches.flatMap((state) => Array.from({ length: state.rows }, (_, row) => ({ state, row }))),
      this.geometry,
    );
  }

  /** Drops a state's buffers; using it afterwards is refused. */
  release(state: DecoderState): void {
    this.own(state, 'state').release();
  }
}
