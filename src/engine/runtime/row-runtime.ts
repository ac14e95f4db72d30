/**
 * The part of every onnxruntime-backed runtime that does not depend on the family: row operations on
 * its decoder states, the open/closed state, and closing its sessions.
 */
import type { GraphSession } from '../session/ort.js';
import type { CacheRows } from './cache-rows.js';
import { runtimeClosed } from './errors.js';
import type { DecoderState } from './types.js';

/** Base of the runtimes: `select`, `merge`, `release` and `close` of {@link GenerationRuntime}. */
export abstract class RowRuntime {
  private closed = false;

  protected constructor(
    protected readonly rows: CacheRows,
    private readonly sessions: readonly GraphSession[],
  ) {}

  /** A new state holding the given rows of `state` in order (rows may repeat or be dropped). */
  select(state: DecoderState, rows: readonly number[]): DecoderState {
    return this.rows.select(state, rows);
  }

  /** A new state with the rows of every state, in order. */
  merge(states: readonly DecoderState[]): DecoderState {
    return this.rows.merge(states);
  }

  /** Frees a state's buffers early. */
  release(state: DecoderState): void {
    this.rows.release(state);
  }

  /** Releases the onnxruntime sessions; the runtime is unusable afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const session of this.sessions) await session.close();
  }

  /** ENGINE_CLOSED once closed. */
  protected checkOpen(): void {
    if (this.closed) throw runtimeClosed();
  }
}
