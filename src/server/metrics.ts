/**
 * Prometheus metrics of one server (its own Registry, so two servers in one process do not mix).
 * The only importer of prom-client.
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

/** Creates the registry; `stats` is polled at scrape time for queue depth and batch size. */
export function createServerMetrics(stats: () => BackendStats | undefined): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'llm_deploy_process_' });
  const requests = new Counter({
    name: 'llm_deploy_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'llm_deploy_http_request_duration_seconds',
    help: 'Time from request start to the end of the response, by route.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const generated = new Counter({
    name: 'llm_deploy_generated_tokens_total',
    help: 'Tokens generated, all requests.',
    registers: [registry],
  });
  const timeToFirstToken = new Histogram({
    name: 'llm_deploy_time_to_first_token_seconds',
    help: 'Time from submitting a generation to its first token.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const queueTime = new Histogram({
    name: 'llm_deploy_queue_time_seconds',
    help: 'Time a generation waited in the scheduler queue.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const modelLoad = new Gauge({
    name: 'llm_deploy_model_load_seconds',
    help: 'Time the model took to load (0 until loaded).',
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'llm_deploy_requests_in_flight',
    help: 'Generation requests being served now.',
    registers: [registry],
  });
  const cancelled = new Counter({
    name: 'llm_deploy_requests_cancelled_total',
    help: 'Generation requests cancelled before they finished, by reason (client, shutdown, timeout).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'llm_deploy_queue_depth',
    help: 'Requests waiting in the backend scheduler.',
    registers: [registry],
    collect() {
      this.set(stats()?.queueDepth ?? 0);
    },
  });
  new Gauge({
    name: 'llm_deploy_batch_size',
    help: 'Rows in the most recent decoder batch.',
    registers: [registry],
    collect() {
      this.set(stats()?.lastBatchSize ?? 0);
    },
  });
  new Gauge({
    name: 'llm_deploy_active_sequences',
    help: 'Sequences being decoded now.',
    registers: [registry],
    collect() {
      this.set(stats()?.activeSequences ?? 0);
    },
  });
  return {
    registry,
    observeRequest(labels, durationSeconds) {
      requests.inc({ route: labels.route, method: labels.method, status: String(labels.status) });
      latency.observe({ route: labels.route }, durationSeconds);
    },
    addGeneratedTokens: (count) => generated.inc(count),
    observeTimeToFirstToken: (seconds) => timeToFirstToken.observe(seconds),
    observeQueueTime: (seconds) => queueTime.observe(seconds),
    setModelLoadSeconds: (seconds) => modelLoad.set(seconds),
    setInFlight: (count) => inFlight.set(count),
    countCancelled: (reason) => cancelled.inc({ reason }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
