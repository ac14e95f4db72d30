/**
 * The HTTP calls the OpenAI-engine backend makes (Node's fetch): `/v1/completions` whole or as server-sent events
 * (`data: {chunk}` events, then `data: [DONE]`, as OpenAI's legacy completions stream and both engines write it),
 * `/v1/models` for the served model's name, and `/health` (200 = healthy in vLLM and trtllm-serve). Aborting the
 * caller's signal closes the connection, which both engines take as the request's cancellation.
 */
import { LlmDeployError } from '../../config/index.js';
import { parseSse } from '../../protocol/index.js';
import { engineAnswerInvalid, engineRejected, engineTimeout, engineUnavailable, type EngineAt } from './errors.js';
import { engineErrorMessage, jsonOrUndefined, parseChoices, type EngineChoice } from './engine-reply.js';

/** Where the engine is and how long to wait. */
export interface EngineEndpoint extends EngineAt {
  readonly timeoutMs: number;
}

function networkReason(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'connection failed';
}

function failure(endpoint: EngineEndpoint, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) return signal.reason;
  if (error instanceof DOMException && error.name === 'TimeoutError') return engineTimeout(endpoint, endpoint.timeoutMs);
  return engineUnavailable(endpoint, networkReason(error), error);
}

async function call(endpoint: EngineEndpoint, path: string, init: { body?: string; signal?: AbortSignal }): Promise<Response> {
  const signals = [AbortSignal.timeout(endpoint.timeoutMs), ...(init.signal ? [init.signal] : [])];
  try {
    return await fetch(`${endpoint.url}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      ...(init.body === undefined ? {} : { body: init.body, headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    throw failure(endpoint, error, init.signal);
  }
}

async function readText(endpoint: EngineEndpoint, response: Response, signal?: AbortSignal): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw failure(endpoint, error, signal);
  }
}

async function refuseErrorStatus(endpoint: EngineEndpoint, response: Response, path: string): Promise<void> {
  if (response.ok) return;
  const text = await readText(endpoint, response);
  const message = engineErrorMessage(jsonOrUndefined(text)) ?? (text.slice(0, 200) || 'no message');
  if (response.status === 503) throw engineUnavailable(endpoint, `POST ${path} answered 503: ${message}`);
  throw engineRejected(endpoint, `HTTP ${response.status}`, message);
}

function choicesOf(endpoint: EngineEndpoint, value: unknown): EngineChoice[] {
  const message = engineErrorMessage(value);
  if (message !== undefined) throw engineRejected(endpoint, 'an error event', message);
  const choices = parseChoices(value);
  if (choices === undefined) throw engineAnswerInvalid(endpoint, 'not a completion', 'a JSON object with choices[]');
  return choices;
}

/**
 * POSTs a non-streaming completion and returns its choices.
 * @example const choices = await postCompletion(endpoint, { model: 'm', prompt: [1], stream: false })
 */
export async function postCompletion(
  endpoint: EngineEndpoint,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<EngineChoice[]> {
  const response = await call(endpoint, '/v1/completions', { body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  await refuseErrorStatus(endpoint, response, '/v1/completions');
  return choicesOf(endpoint, jsonOrUndefined(await readText(endpoint, response, signal)));
}

/** POSTs a streaming completion; `onChunk` gets each chunk's choices as the engine sends them, until `[DONE]`. */
export async function streamCompletion(
  endpoint: EngineEndpoint,
  request: { readonly body: Record<string, unknown>; readonly signal?: AbortSignal; readonly onChunk: (choices: EngineChoice[]) => void },
): Promise<void> {
  const { signal } = request;
  const response = await call(endpoint, '/v1/completions', { body: JSON.stringify(request.body), ...(signal ? { signal } : {}) });
  await refuseErrorStatus(endpoint, response, '/v1/completions');
  if (response.body === null) throw engineAnswerInvalid(endpoint, 'an empty stream', 'server-sent events');
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let buffered = '';
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffered += decoder.decode(read.value, { stream: true });
      const end = buffered.lastIndexOf('\n\n');
      if (end < 0) continue;
      for (const event of parseSse(buffered.slice(0, end))) {
        if (event.data === '[DONE]') return;
        request.onChunk(choicesOf(endpoint, jsonOrUndefined(event.data)));
      }
      buffered = buffered.slice(end + 2);
    }
  } catch (error) {
    if (LlmDeployError.isInstance(error)) throw error;
    throw failure(endpoint, error, signal);
  } finally {
    reader.releaseLock();
  }
  throw engineUnavailable(endpoint, 'the stream ended before [DONE]');
}

/** The first model id of `GET /v1/models` (the name the engine serves, which requests must carry). */
export async function servedModel(endpoint: EngineEndpoint): Promise<string> {
  const response = await call(endpoint, '/v1/models', {});
  await refuseErrorStatus(endpoint, response, '/v1/models');
  const value = jsonOrUndefined(await readText(endpoint, response));
  const data = typeof value === 'object' && value !== null && 'data' in value && Array.isArray(value.data) ? value.data : [];
  const first: unknown = data[0];
  if (typeof first === 'object' && first !== null && 'id' in first && typeof first.id === 'string') return first.id;
  throw engineAnswerInvalid(endpoint, 'no model in GET /v1/models', '{"data": [{"id": "<model>"}]}');
}

/** GETs `/health`: ready only on 200; otherwise the reason. */
export async function probeHealth(endpoint: EngineEndpoint): Promise<{ readonly ready: boolean; readonly reason?: string }> {
  try {
    const response = await call(endpoint, '/health', {});
    const text = await readText(endpoint, response);
    if (response.status === 200) return { ready: true };
    return {
      ready: false,
      reason: `GET ${endpoint.url}/health answered ${response.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`,
    };
  } catch (error) {
    return { ready: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * GETs the engine's `/metrics` when it is Prometheus text (vLLM: https://docs.vllm.ai/en/latest/design/metrics/);
 * anything else (trtllm-serve answers JSON iteration statistics there) or no answer is undefined.
 */
export async function fetchMetrics(endpoint: EngineEndpoint): Promise<string | undefined> {
  try {
    const response = await call(endpoint, '/metrics', {});
    const text = await readText(endpoint, response);
    const type = response.headers.get('content-type') ?? '';
    return response.status === 200 && /^(text\/plain|application\/openmetrics-text)/.test(type) ? text : undefined;
  } catch {
    return undefined;
  }
}
