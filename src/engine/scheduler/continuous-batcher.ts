/**
 * Continuous batching over one decoder batch: requests waiting in a bounded FIFO queue join the
 * running batch at the next decode step (their prompts are encoded and their decoder rows merged
 * in), finished or cancelled requests leave at once, and each step runs every live row together.
 * Beam-search requests share the batch too: their beams are simply rows of the batch.
 * Joining prompts are encoded a few at a time, between decode steps, so that a crowd arriving at once does
 * not stall the running rows for one long encoder run, and its first requests start decoding early.
 */
import type { GeneratedSequence } from '../backend.js';
import type { DecodeTask } from '../generation/decode-task.js';
import type { DecoderState, GenerationRuntime } from '../runtime/types.js';
import { cancelled, closed, queueFull, tooManyRows } from './errors.js';

/**
 * Prompt tokens encoded between two decode steps (at least one job joins per step). Measured on t5-small with 16
 * clients (see the README's performance section): 128 (two 64-token prompts) cut the median time to first token
 * about 5x against encoding every waiting prompt at once, for about 10% more CPU per token; 64 cost far more CPU
 * (a merge and a departure of cache rows per prompt), 256 kept more of the delay.
 */
export const DEFAULT_JOIN_TOKENS_PER_STEP = 128;

/** The part of the runtime the scheduler drives. */
export type DecoderRuntime = Pick<GenerationRuntime, 'encode' | 'startDecoding' | 'step' | 'select' | 'merge' | 'release'>;

/** Options of {@link ContinuousBatcher}. */
export interface ContinuousBatcherOptions {
  readonly runtime: DecoderRuntime;
  readonly decoderStartTokenId: number;
  /** Most decoder rows in one step. */
  readonly maxBatchSize: number;
  /** Most requests waiting to join; more fail with ENGINE_QUEUE_FULL. */
  readonly maxQueue: number;
  /** Prompt tokens encoded between two decode steps; default {@link DEFAULT_JOIN_TOKENS_PER_STEP}. */
  readonly joinTokensPerStep?: number;
  /** Clock in milliseconds (tests may pin it). */
  readonly now?: () => number;
}

/** One request handed to the scheduler: a prompt and the search that will run on it. */
export interface BatchJob {
  /** Prompt ids, `</s>` included. */
  readonly inputIds: readonly number[];
  readonly task: DecodeTask;
  /** Decoder tokens the job may need (max new tokens + 1), so caches are sized once. */
  readonly expectedTokens: number;
  readonly signal?: AbortSignal;
}

/** What a finished job returns. */
export interface BatchJobResult {
  readonly sequences: readonly GeneratedSequence[];
  /** Milliseconds from submission until joining the batch, until the first token, and until done. */
  readonly queueMs: number;
  readonly firstTokenMs: number;
  readonly totalMs: number;
}

/** Live figures for metrics. */
export interface BatcherStats {
  readonly queueDepth: number;
  readonly activeSequences: number;
  readonly lastBatchSize: number;
}

interface Entry {
  readonly job: BatchJob;
  readonly submittedMs: number;
  joinedMs: number;
  firstTokenMs: number;
  cancelled: boolean;
  settled: boolean;
  readonly resolve: (result: BatchJobResult) => void;
  readonly reject: (error: unknown) => void;
  readonly onAbort: () => void;
}

/** The continuous-batching loop; one per loaded model. */
export class ContinuousBatcher {
  private readonly queue: Entry[] = [];
  private active: Entry[] = [];
  /** Admitted jobs whose prompts are being encoded; they join `active` after the merge. */
  private joining: Entry[] = [];
  private state: DecoderState | undefined;
  /** Token to feed per row of `state`. */
  private tokens: number[] = [];
  private loop: Promise<void> = Promise.resolve();
  private running = false;
  private closed = false;
  private lastBatchSize = 0;
  private readonly now: () => number;

  constructor(private readonly options: ContinuousBatcherOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Queues a job; resolves when it finishes, rejects with ENGINE_QUEUE_FULL, ENGINE_CANCELLED or ENGINE_CLOSED. */
  submit(job: BatchJob): Promise<BatchJobResult> {
    if (this.closed) return Promise.reject(closed());
    if (job.task.rowCount > this.options.maxBatchSize) return Promise.reject(tooManyRows(job.task.rowCount, this.options.maxBatchSize));
    if (job.signal?.aborted) return Promise.reject(cancelled());
    if (this.waitingAfter(job) > this.options.maxQueue) return Promise.reject(queueFull(this.options.maxQueue));
    return new Promise<BatchJobResult>((resolve, reject) => {
      const entry: Entry = {
        job,
        submittedMs: this.now(),
        joinedMs: Number.NaN,
        firstTokenMs: Number.NaN,
        cancelled: false,
        settled: false,
        resolve,
        reject,
        onAbort: () => this.abort(entry),
      };
      job.signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.queue.push(entry);
      if (!this.running) {
        this.running = true;
        this.loop = this.run().catch((error: unknown) => this.failAll(error));
      }
    });
  }

  /**
   * Jobs that would still wait for a batch slot at the next step if `job` were queued: queued jobs the
   * next step cannot admit (in FIFO order), `job` included. Jobs that fit at once do not count against maxQueue.
   */
  private waitingAfter(job: BatchJob): number {
    let rows = this.heldRows();
    const pending = [...this.queue.map((entry) => entry.job), job];
    let admitted = 0;
    while (admitted < pending.length && rows + pending[admitted].task.rowCount <= this.options.maxBatchSize) {
      rows += pending[admitted].task.rowCount;
      admitted++;
    }
    return pending.length - admitted;
  }

  /** Queue depth, decoding rows and the size of the last step. */
  stats(): BatcherStats {
    const activeSequences = this.heldRows();
    return { queueDepth: this.queue.length, activeSequences, lastBatchSize: this.lastBatchSize };
  }

  /** Rejects waiting and running jobs with ENGINE_CLOSED and waits for the current step to end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.queue.splice(0)) this.settle(entry, closed());
    for (const entry of [...this.active, ...this.joining]) this.settle(entry, closed());
    await this.loop;
  }

  private abort(entry: Entry): void {
    const queued = this.queue.indexOf(entry);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(entry, cancelled());
    } else {
      entry.cancelled = true;
    }
  }

  /** The loop; it ends (and `running` drops, in the same tick) when nothing is left to do. */
  private async run(): Promise<void> {
    while (!this.closed) {
      this.dropCancelled();
      const joining = this.admit();
      if (joining.length > 0) await this.join(joining);
      if (this.active.length === 0) {
        if (this.queue.length === 0) break;
        continue;
      }
      await this.decodeStep();
      // Let submissions and aborts that arrived during the step be seen before the next one.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.failAll(closed());
  }

  /** Ends the loop's bookkeeping: every job still held is rejected with `error`. */
  private failAll(error: unknown): void {
    for (const entry of [...this.active, ...this.joining]) this.settle(entry, error);
    if (this.closed) for (const entry of this.queue.splice(0)) this.settle(entry, error);
    this.active = [];
    this.joining = [];
    this.resetState();
    this.running = false;
    if (!this.closed && this.queue.length > 0) {
      this.running = true;
      this.loop = this.run().catch((next: unknown) => this.failAll(next));
    }
  }

  /** Takes waiting jobs in arrival order while their rows fit in the batch and their prompts in this step's encoder budget. */
  private admit(): Entry[] {
    let rows = this.heldRows();
    let tokens = 0;
    const budget = this.options.joinTokensPerStep ?? DEFAULT_JOIN_TOKENS_PER_STEP;
    const joining: Entry[] = [];
    const fits = (job: BatchJob): boolean =>
      rows + job.task.rowCount <= this.options.maxBatchSize && (joining.length === 0 || tokens + job.inputIds.length <= budget);
    while (this.queue.length > 0 && fits(this.queue[0].job)) {
      const entry = this.queue.shift() as Entry;
      rows += entry.job.task.rowCount;
      tokens += entry.job.inputIds.length;
      entry.joinedMs = this.now();
      joining.push(entry);
    }
    this.joining = joining;
    return joining;
  }

  /** Rows of waiting jobs. */
  private queuedRows(): number {
    return this.queue.reduce((sum, entry) => sum + entry.job.task.rowCount, 0);
  }

  /** Rows of running and joining jobs. */
  private heldRows(): number {
    return [...this.active, ...this.joining].reduce((sum, entry) => sum + entry.job.task.rowCount, 0);
  }

  /** Encodes the newcomers and merges their decoder rows after the running ones. */
  private async join(joining: Entry[]): Promise<void> {
    const { runtime, decoderStartTokenId } = this.options;
    try {
      const encoded = await runtime.encode(joining.map((entry) => entry.job.inputIds));
      const rows = joining.flatMap((entry, index) => new Array<number>(entry.job.task.rowCount).fill(index));
      const expectedTokens = Math.max(...joining.map((entry) => entry.job.expectedTokens));
      const fresh = runtime.startDecoding(encoded, { rows, expectedTokens });
      // The merge ends both inputs: the running state's buffers take the newcomers' rows in place when they have
      // room, and buffers it must reallocate get room for the rows still waiting too.
      const expectedRows = Math.min(this.options.maxBatchSize, this.heldRows() + this.queuedRows());
      this.state = this.state === undefined ? fresh : runtime.merge([this.state, fresh], { releaseInputs: true, expectedRows });
      this.tokens = [...this.tokens, ...rows.map((row) => encoded.startTokenIds?.[row] ?? decoderStartTokenId)];
      this.active = [...this.active, ...joining];
    } catch (error) {
      for (const entry of joining) this.settle(entry, error);
    } finally {
      this.joining = [];
    }
  }

  /** Runs one decoder step for every live row and lets each job choose its next rows. */
  private async decodeStep(): Promise<void> {
    const state = this.state;
    if (state === undefined) throw new Error('impossible: decodeStep without a decoder state');
    let logits: Float32Array;
    try {
      logits = await this.options.runtime.step(state, this.tokens);
    } catch (error) {
      for (const entry of this.active) this.settle(entry, error);
      this.active = [];
      this.resetState();
      return;
    }
    this.lastBatchSize = state.rows;
    const vocabSize = logits.length / state.rows;
    const sources: number[] = [];
    const tokens: number[] = [];
    const survivors: Entry[] = [];
    let firstRow = 0;
    for (const entry of this.active) {
      const rowCount = entry.job.task.rowCount;
      if (!entry.settled) this.advance(entry, { logits, firstRow, vocabSize, sources, tokens, survivors });
      firstRow += rowCount;
    }
    this.active = survivors;
    this.keepRows(sources, tokens);
  }

  private advance(
    entry: Entry,
    step: { logits: Float32Array; firstRow: number; vocabSize: number; sources: number[]; tokens: number[]; survivors: Entry[] },
  ): void {
    try {
      const decision = entry.job.task.advance(step.logits, step.firstRow, step.vocabSize);
      if (Number.isNaN(entry.firstTokenMs)) entry.firstTokenMs = this.now();
      if (decision.finished) {
        this.finish(entry);
        return;
      }
      for (const row of decision.sourceRows) step.sources.push(step.firstRow + row);
      step.tokens.push(...decision.nextTokens);
      step.survivors.push(entry);
    } catch (error) {
      this.settle(entry, error);
    }
  }

  /** Drops the rows of jobs cancelled (or closed) since the last step, before any work is spent on them. */
  private dropCancelled(): void {
    if (!this.active.some((entry) => entry.cancelled || entry.settled)) return;
    const sources: number[] = [];
    const survivors: Entry[] = [];
    let firstRow = 0;
    for (const entry of this.active) {
      const rowCount = entry.job.task.rowCount;
      if (entry.cancelled) this.settle(entry, cancelled());
      if (!entry.settled) {
        for (let row = 0; row < rowCount; row++) sources.push(firstRow + row);
        survivors.push(entry);
      }
      firstRow += rowCount;
    }
    this.active = survivors;
    this.keepRows(
      sources,
      sources.map((row) => this.tokens[row]),
    );
  }

  private keepRows(sources: readonly number[], tokens: number[]): void {
    const state = this.state;
    if (state === undefined) return;
    if (sources.length === 0) {
      this.resetState();
      return;
    }
    const identity = sources.length === state.rows && sources.every((row, index) => row === index);
    // The departure ends the old state: its rows move down in its own buffers.
    if (!identity) this.state = this.options.runtime.select(state, sources, { releaseInputs: true });
    this.tokens = tokens;
  }

  private resetState(): void {
    if (this.state !== undefined) this.options.runtime.release(this.state);
    this.state = undefined;
    this.tokens = [];
  }

  private finish(entry: Entry): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.job.signal?.removeEventListener('abort', entry.onAbort);
    const doneMs = this.now();
    entry.resolve({
      sequences: entry.job.task.result(),
      queueMs: entry.joinedMs - entry.submittedMs,
      firstTokenMs: entry.firstTokenMs - entry.submittedMs,
      totalMs: doneMs - entry.submittedMs,
    });
  }

  private settle(entry: Entry, error: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.job.signal?.removeEventListener('abort', entry.onAbort);
    entry.reject(error);
  }
}
