/** Cumulative KServe v2 model statistics, reported in the shape of Triton's statistics extension. */
import { emptyInferenceStats, type TritonDurationStat, type TritonInferenceStats, type TritonModelStat } from '../../protocol/index.js';

/** What one request took, in milliseconds. */
export interface RequestTimingsMs {
  readonly totalMs: number;
  readonly queueMs: number;
  readonly inferMs: number;
}

const NS_PER_MS = 1e6;

function add(stat: TritonDurationStat, ms: number): TritonDurationStat {
  return { count: stat.count + 1, ns: stat.ns + Math.round(ms * NS_PER_MS) };
}

/** Counts successes, failures and their durations for one model version. */
export class ModelStats {
  private stats: TritonInferenceStats = emptyInferenceStats();
  private inferences = 0;
  private executions = 0;
  private lastInferenceMs = 0;

  constructor(
    private readonly name: string,
    private readonly version: string,
  ) {}

  /** A request of `batch` rows answered. */
  recordSuccess(batch: number, timings: RequestTimingsMs): void {
    this.inferences += batch;
    this.executions += 1;
    this.lastInferenceMs = Date.now();
    this.stats = {
      ...this.stats,
      success: add(this.stats.success, timings.totalMs),
      queue: add(this.stats.queue, timings.queueMs),
      compute_infer: add(this.stats.compute_infer, timings.inferMs),
    };
  }

  /** A request that failed after it reached this model. */
  recordFailure(totalMs: number): void {
    this.stats = { ...this.stats, fail: add(this.stats.fail, totalMs) };
  }

  /** The `$model_stat` entry. */
  snapshot(): TritonModelStat {
    return {
      name: this.name,
      version: this.version,
      last_inference: this.lastInferenceMs,
      inference_count: this.inferences,
      execution_count: this.executions,
      inference_stats: this.stats,
      batch_stats: [],
    };
  }
}
