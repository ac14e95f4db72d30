/**
 * The part of every onnxruntime-backed runtime that does not depend on the family: row operations on
 * its decoder states, the open/closed state, and closing its sessions.
 */
import type { GenerationModelFacts } from '../../model/index.js';
import type { GraphSession } from '../session/ort.js';
import type { Quantize } from '../settings.js';
import type { CacheRows } from './cache-rows.js';
import { runtimeClosed } from './errors.js';
import type { DecoderState, RowOperationOptions } from './types.js';

/** What a runtime is made of: its config, weight precision, row operations and sessions (the last one decodes). */
export interface RowRuntimeParts<C extends GenerationModelFacts> {
  readonly config: C;
  readonly quantize: Quantize;
  readonly rows: CacheRows;
  readonly sessions: readonly [GraphSession, GraphSession];
}

/** Base of the runtimes: the facts and `select`, `merge`, `release`, `close` of {@link GenerationRuntime}. */
export abstract class RowRuntime<C extends GenerationModelFacts> {
  readonly config: C;
  readonly quantize: Quantize;
  /** Execution provider of the decode-step session. */
  readonly provider: string;
  protected readonly rows: CacheRows;
  private readonly sessions: readonly GraphSession[];
  private closed = false;

  protected constructor(parts: RowRuntimeParts<C>) {
    ({ config: this.config, quantize: this.quantize, rows: this.rows, sessions: this.sessions } = parts);
    this.provider = parts.sessions[1].provider;
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** A new state holding the given rows of `state` in order (rows may repeat or be dropped). */
  select(state: DecoderState, rows: readonly number[], options?: RowOperationOptions): DecoderState {
    return this.rows.select(state, rows, options);
  }

  /** A new state with the rows of every state, in order. */
  merge(states: readonly DecoderState[], options?: RowOperationOptions): DecoderState {
    return this.rows.merge(states, options);
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
