// Measures how long `GET /health` takes while a hostile request is being processed: a server whose
// event loop is blocked answers /health late, whatever the hostile request itself returns.
import { request } from 'node:http';

/** What {@link probeHealthDuring} saw. */
export interface HealthProbeResult {
  /** Slowest /health round trip while the hostile request was in flight, in ms. */
  readonly worstHealthMs: number;
  /** How many /health probes were sent while it was in flight. */
  readonly probes: number;
  /** Status code the hostile request got (0 when the connection was reset or timed out). */
  readonly hostileStatus: number;
  /** Body the hostile request got. */
  readonly hostileBody: string;
}

/** A hostile request: what to send to the started server at `baseUrl`. */
export interface HostileRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

/** Options of {@link probeHealthDuring}. */
export interface HealthProbeOptions {
  /** Pause between /health probes, in ms (default 10). */
  readonly intervalMs?: number;
  /** Gives up on the hostile request after this long, in ms (default 30 000). */
  readonly timeoutMs?: number;
}

/**
 * Sends `hostile` to a listening server and, until it is answered, probes `/health` one request
 * at a time over separate connections, recording the slowest round trip.
 * @example const result = await probeHealthDuring('http://127.0.0.1:5000', { path: '/infer', body });
 */
export async function probeHealthDuring(
  baseUrl: string,
  hostile: HostileRequest,
  options: HealthProbeOptions = {},
): Promise<HealthProbeResult> {
  const intervalMs = options.intervalMs ?? 10;
  let done = false;
  const hostileAnswer = send(baseUrl, hostile, options.timeoutMs ?? 30_000).finally(() => {
    done = true;
  });
  let worstHealthMs = 0;
  let probes = 0;
  while (!done) {
    const started = performance.now();
    await send(baseUrl, { method: 'GET', path: '/health', body: '' }, 60_000);
    // a probe sent while the hostile request was in flight counts even when it is answered after it:
    // a blocked event loop answers both at once
    worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
    probes += 1;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const answer = await hostileAnswer;
  return { worstHealthMs, probes, hostileStatus: answer.status, hostileBody: answer.body };
}

function send(baseUrl: string, hostile: HostileRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const url = new URL(hostile.path, baseUrl);
    const body = typeof hostile.body === 'string' ? Buffer.from(hostile.body) : hostile.body;
    const outgoing = request(url, {
      method: hostile.method ?? 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...hostile.headers },
      agent: false,
      timeout: timeoutMs,
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', () => resolve({ status: 0, body: '' }));
    });
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => resolve({ status: 0, body: '' }));
    outgoing.end(body);
  });
}
