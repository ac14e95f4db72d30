/**
 * The fronted engine's own metrics, re-exported by our `/metrics` under {@link ENGINE_METRICS_PREFIX} so one scrape
 * sees both and no engine name collides with ours (`vllm:num_requests_running` becomes
 * `engine_vllm:num_requests_running`; colons are legal in Prometheus metric names:
 * https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels).
 */

/** Put before every metric name of the engine. */
export const ENGINE_METRICS_PREFIX = 'engine_';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/**
 * Prefixes each sample line and its `# HELP` / `# TYPE` lines; other comments (`# EOF` of OpenMetrics) and lines
 * that do not start with a metric name are dropped, so a garbled answer cannot break our own exposition.
 * @example prefixEngineMetrics('# TYPE vllm:x gauge\nvllm:x 1\n') // '# TYPE engine_vllm:x gauge\nengine_vllm:x 1\n'
 */
export function prefixEngineMetrics(text: string): string {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const meta = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
    if (meta !== null) {
      if (METRIC_NAME.exec(meta[2] ?? '')?.[0] === meta[2]) lines.push(`# ${meta[1]} ${ENGINE_METRICS_PREFIX}${meta[2]}${meta[3]}`);
    } else if (METRIC_NAME.test(line) && / -?[0-9.eE+-]+|NaN|[+-]Inf/.test(line)) {
      lines.push(`${ENGINE_METRICS_PREFIX}${line}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
