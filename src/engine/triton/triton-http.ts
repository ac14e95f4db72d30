/**
 * The HTTP calls the Triton backend makes (Node's fetch): infer with the binary tensor extension,
 * and the readiness probes. Network failures become ENGINE_UPSTREAM_* errors naming the URL.
 */
import { z } from 'zod';
import { decodeInferResponse, encodeInferRequest, INFERENCE_HEADER_CONTENT_LENGTH } from '../../protocol/index.js';
import type { KServeV2DecodedInferResponse, KServeV2OutgoingInferRequest } from '../../protocol/index.js';
import { upstreamRejected, upstreamTimeout, upstreamUnavailable } from './errors.js';

/** Where Triton is and how long to wait. */
export interface TritonEndpoint {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly timeoutMs: number;
}

const errorBodySchema = z.object({ error: z.string() });

function networkReason(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'connection failed';
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

async function call(endpoint: TritonEndpoint, path: string, init: RequestInit & { signal?: AbortSignal }): Promise<Response> {
  const signals = [AbortSignal.timeout(endpoint.timeoutMs), ...(init.signal ? [init.signal] : [])];
  try {
    return await fetch(`${endpoint.url}${path}`, { ...init, signal: AbortSignal.any(signals) });
  } catch (error) {
    if (isTimeout(error)) throw upstreamTimeout(endpoint.url, endpoint.timeoutMs);
    if (init.signal?.aborted) throw init.signal.reason;
    throw upstreamUnavailable(endpoint.url, networkReason(error), error);
  }
}

async function readBody(endpoint: TritonEndpoint, response: Response): Promise<Buffer> {
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (isTimeout(error)) throw upstreamTimeout(endpoint.url, endpoint.timeoutMs);
    throw upstreamUnavailable(endpoint.url, `the answer broke off (${networkReason(error)})`, error);
  }
}

function errorMessage(body: Buffer): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(body.toString('utf8')));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.toString('utf8').slice(0, 200) || 'no message';
}

/**
 * POSTs an infer request; the reply is decoded (JSON or binary). 503 from Triton = unavailable.
 * @example await postInfer(endpoint, 'fastertransformer', request, signal)
 */
export async function postInfer(
  endpoint: TritonEndpoint,
  modelName: string,
  request: KServeV2OutgoingInferRequest,
  signal?: AbortSignal,
): Promise<KServeV2DecodedInferResponse> {
  const { body, headers } = encodeInferRequest(request);
  const path = `/v2/models/${encodeURIComponent(modelName)}/infer`;
  const bytes = new Uint8Array(body.length);
  bytes.set(body);
  const response = await call(endpoint, path, { method: 'POST', headers, body: bytes, ...(signal ? { signal } : {}) });
  const payload = await readBody(endpoint, response);
  if (response.status === 503) throw upstreamUnavailable(endpoint.url, `POST ${path} answered 503: ${errorMessage(payload)}`);
  if (!response.ok) throw upstreamRejected(endpoint.url, response.status, errorMessage(payload));
  return decodeInferResponse(payload, response.headers.get(INFERENCE_HEADER_CONTENT_LENGTH) ?? undefined);
}

/** Result of one readiness probe. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly reason?: string;
}

/** GETs a health route; anything but 200 (or no answer) is not ready, with the reason. */
export async function probe(endpoint: TritonEndpoint, path: string): Promise<ProbeResult> {
  try {
    const response = await call(endpoint, path, { method: 'GET' });
    const payload = await readBody(endpoint, response);
    if (response.status === 200) return { ok: true };
    return {
      ok: false,
      reason: `GET ${endpoint.url}${path} answered ${response.status}${payload.length > 0 ? `: ${errorMessage(payload)}` : ''}`,
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
