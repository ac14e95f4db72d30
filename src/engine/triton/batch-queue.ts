/**
 * Gathers concurrent requests into batches: entries with the same key (FT's per-batch scalars
 * `max_output_len` and `beam_width`) leave together, up to `maxRows` rows, with at most
 * `maxInFlight` batches outstanding. Entries that arrive in the same event-loop turn (or within
 * `windowMs`) can share a batch.
 */

/** One queued item; `rows` is how many batch rows it takes. */
export interface QueueEntry {
  readonly key: string;
  readonly rows: number;
}

/** Options for {@link BatchQueue}. */
export interface BatchQueueOptions<E extends QueueEntry> {
  readonly maxRows: number;
  readonly maxInFlight: number;
  readonly windowMs: number;
  /** Sends one batch; resolves when it is answered (success or failure is the callee's business). */
  readonly send: (batch: E[]) => Promise<void>;
}

/** The queue itself. */
export class BatchQueue<E extends QueueEntry> {
  private readonly waiting: E[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: BatchQueueOptions<E>) {}

  /** Entries waiting to be sent. */
  get depth(): number {
    return this.waiting.length;
  }

  /** Batches sent and not yet answered. */
  get batchesInFlight(): number {
    return this.inFlight;
  }

  /** Queues an entry and schedules a flush. */
  push(entry: E): void {
    this.waiting.push(entry);
    this.schedule();
  }

  /** Takes an entry out if it has not been sent; true when it was still waiting. */
  remove(entry: E): boolean {
    const index = this.waiting.indexOf(entry);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /** Empties the queue, returning what was waiting. */
  drain(): E[] {
    return this.waiting.splice(0, this.waiting.length);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.flush();
    };
    if (this.options.windowMs > 0) setTimeout(run, this.options.windowMs);
    else setImmediate(run);
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.options.send(batch).finally(() => {
        this.inFlight -= 1;
        if (this.waiting.length > 0) this.schedule();
      });
    }
  }

  private takeBatch(): E[] {
    const key = this.waiting[0]!.key;
    const batch: E[] = [];
    let rows = 0;
    for (let index = 0; index < this.waiting.length;) {
      const entry = this.waiting[index]!;
      if (entry.key === key && (batch.length === 0 || rows + entry.rows <= this.options.maxRows)) {
        batch.push(entry);
        rows += entry.rows;
        this.waiting.splice(index, 1);
      } else index += 1;
    }
    return batch;
  }
}
