/**
 * Prometheus metrics of one server (its own Registry, so two servers in one process do not mix).
 * The only importer of prom-client. Names follow TGI's and vLLM's where they measure the same thing
 * (https://huggingface.co/docs/text-generation-inference/reference/metrics,
 * https://docs.vllm.ai/en/latest/design/metrics/), under our `llm_deploy_` prefix.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BackendStats } from '../engine/index.js';

/** The instruments routes record into. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** One observation per answered request. */
  observeRequest(labels: { route: string; method: string; status: number }, durationSeconds: number): void;
  /** One generated sequence's token count. */
  addGeneratedTokens(count: number): void;
  /** One generation's prompt length in tokens (counter and histogram). */
  observePromptTokens(count: number): void;
  /** `intervals` observations of `seconds`: the mean time between successive tokens of one generation. */
  observeInterTokenLatency(seconds: number, intervals: number): void;
  observeTimeToFirstToken(seconds: number): void;
  observeQueueTime(seconds: number): void;
  setModelLoadSeconds(seconds: number): void;
  setInFlight(count: number): void;
  /** One generation cancelled before it finished: the client left, the server shut down, or it timed out. */
  countCancelled(reason: 'client' | 'shutdown' | 'timeout'): void;
  /** Prometheus text exposition format. */
  render(): Promise<string>;
  readonly contentType: string;
}

const PREFIX = 'llm_deploy_';

/**
 * prom-client's gauges named `*_total` break the rule that only counters end in `_total` (promtool
 * says so); `sum without (type) (llm_deploy_nodejs_active_handles)` gives the same number.
 * https://github.com/prometheus/client_js/issues/283
 */
const DEFAULT_GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Seconds, from a cached CPU step to a slow first token. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds per token: a small model on a CPU decodes in about a millisecond, a large one on a busy GPU in a second. */
const INTER_TOKEN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5];
/** Tokens, a 1-2-5 series up to the longest prompts a T5 deployment takes. */
const PROMPT_TOKEN_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** Process and Node.js metrics from prom-client, under our prefix once (`llm_deploy_process_cpu_seconds_total`). */
function registerDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of DEFAULT_GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(`${PREFIX}${name}`);
}

function requestInstruments(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by route, method and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    latency: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time from request start to the end of the response, by route.',
      labelNames: ['route'] as const,
      buckets: [...LATENCY_BUCKETS, 30, 60],
      registers,
    }),
    inFlight: new Gauge({ name: `${PREFIX}requests_in_flight`, help: 'Generation requests being served now.', registers }),
    cancelled: new Counter({
      name: `${PREFIX}requests_cancelled_total`,
      help: 'Generation requests cancelled before they finished, by reason (client, shutdown, timeout).',
      labelNames: ['reason'] as const,
      registers,
    }),
    modelLoad: new Gauge({ name: `${PREFIX}model_load_seconds`, help: 'Time the model took to load (0 until loaded).', registers }),
  };
}

function generationInstruments(registry: Registry) {
  const registers = [registry];
  const histogram = (name: string, help: string, buckets: number[]) =>
    new Histogram({ name: `${PREFIX}${name}`, help, buckets, registers });
  return {
    generated: new Counter({ name: `${PREFIX}generated_tokens_total`, help: 'Tokens generated, all requests.', registers }),
    promptTokens: new Counter({ name: `${PREFIX}prompt_tokens_total`, help: 'Prompt tokens processed, all requests.', registers }),
    promptLength: histogram('request_prompt_tokens', 'Prompt length in tokens, one observation per generation.', PROMPT_TOKEN_BUCKETS),
    timeToFirstToken: histogram('time_to_first_token_seconds', 'Time from submitting a generation to its first token.', LATENCY_BUCKETS),
    interToken: histogram(
      'inter_token_latency_seconds',
      "Time between successive generated tokens: each generation's mean, once per token after the first.",
      INTER_TOKEN_BUCKETS,
    ),
    queueTime: histogram('queue_time_seconds', 'Time a generation waited in the scheduler queue.', [
      0.001,
      ...LATENCY_BUCKETS.slice(0, -1),
    ]),
  };
}

/** Gauges read from the backend at scrape time. */
function registerBackendGauges(registry: Registry, stats: () => BackendStats | undefined): void {
  const gauges: [string, string, (figures: BackendStats) => number][] = [
    ['queue_depth', 'Requests waiting in the backend scheduler.', (figures) => figures.queueDepth],
    ['batch_size', 'Rows in the most recent decoder batch.', (figures) => figures.lastBatchSize],
    ['active_sequences', 'Sequences being decoded now.', (figures) => figures.activeSequences],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        const figures = stats();
        this.set(figures === undefined ? 0 : read(figures));
      },
    });
  }
}

/** Creates the registry; `stats` is polled at scrape time for queue depth and batch size. */
export function createServerMetrics(stats: () => BackendStats | undefined): ServerMetrics {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  const request = requestInstruments(registry);
  const generation = generationInstruments(registry);
  registerBackendGauges(registry, stats);
  return {
    registry,
    observeRequest(labels, durationSeconds) {
      request.requests.inc({ route: labels.route, method: labels.method, status: String(labels.status) });
      request.latency.observe({ route: labels.route }, durationSeconds);
    },
    addGeneratedTokens: (count) => generation.generated.inc(count),
    observePromptTokens(count) {
      generation.promptTokens.inc(count);
      generation.promptLength.observe(count);
    },
    observeInterTokenLatency(seconds, intervals) {
      for (let interval = 0; interval < intervals; interval += 1) generation.interToken.observe(seconds);
    },
    observeTimeToFirstToken: (seconds) => generation.timeToFirstToken.observe(seconds),
    observeQueueTime: (seconds) => generation.queueTime.observe(seconds),
    setModelLoadSeconds: (seconds) => request.modelLoad.set(seconds),
    setInFlight: (count) => request.inFlight.set(count),
    countCancelled: (reason) => request.cancelled.inc({ reason }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
