/**
 * Triton's statistics extension (`GET /v2/models/{m}/stats` -> `{"model_stats": [...]}`,
 * https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/protocol/extension_statistics.html)
 * and the index call of its model repository extension (`POST /v2/repository/index` -> an array of
 * `{name, version, state, reason}`,
 * https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/protocol/extension_model_repository.html).
 */

/** A count and its cumulative duration in nanoseconds. */
export interface TritonDurationStat {
  readonly count: number;
  readonly ns: number;
}

/** Cumulative per-stage statistics of one model version. */
export interface TritonInferenceStats {
  readonly success: TritonDurationStat;
  readonly fail: TritonDurationStat;
  readonly queue: TritonDurationStat;
  readonly compute_input: TritonDurationStat;
  readonly compute_infer: TritonDurationStat;
  readonly compute_output: TritonDurationStat;
  readonly cache_hit: TritonDurationStat;
  readonly cache_miss: TritonDurationStat;
}

/** One `$model_stat`. */
export interface TritonModelStat {
  readonly name: string;
  readonly version: string;
  /** Milliseconds since the epoch of the last inference; 0 when none yet. */
  readonly last_inference: number;
  /** Inferences performed (a batch of N counts N). */
  readonly inference_count: number;
  /** Model executions (a batch counts once). */
  readonly execution_count: number;
  readonly inference_stats: TritonInferenceStats;
  readonly batch_stats: readonly unknown[];
}

/** The stats answer. */
export interface TritonModelStatsResponseV2 {
  readonly model_stats: readonly TritonModelStat[];
}

/** One entry of the repository index. */
export interface TritonRepositoryIndexEntry {
  readonly name: string;
  readonly version: string;
  /** `READY`, `UNAVAILABLE`, `LOADING`, `UNLOADING`. */
  readonly state: string;
  readonly reason: string;
}

/** All-zero duration statistics (a model that has not run yet). */
export function emptyInferenceStats(): TritonInferenceStats {
  const zero = { count: 0, ns: 0 };
  return {
    success: zero,
    fail: zero,
    queue: zero,
    compute_input: zero,
    compute_infer: zero,
    compute_output: zero,
    cache_hit: zero,
    cache_miss: zero,
  };
}
