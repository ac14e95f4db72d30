/** Errors of the Triton backend: the upstream is down (503), too slow (504) or refused our request (502). */
import { LlmDeployError } from '../../config/index.js';

/** Triton cannot be reached (connection refused, DNS, reset) or answered 503. */
export function upstreamUnavailable(url: string, detail: string, cause?: unknown): LlmDeployError {
  return new LlmDeployError(`the Triton server at ${url} is unavailable: ${detail}`, {
    code: 'ENGINE_UPSTREAM_UNAVAILABLE',
    httpStatus: 503,
    field: 'tritonUrl',
    given: url,
    expected: 'a running Triton (KServe v2) server with the model loaded',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Triton did not answer within the timeout. */
export function upstreamTimeout(url: string, timeoutMs: number): LlmDeployError {
  return new LlmDeployError(`the Triton server at ${url} did not answer in time`, {
    code: 'ENGINE_UPSTREAM_TIMEOUT',
    httpStatus: 504,
    field: 'timeoutMs',
    given: `${timeoutMs} ms`,
    expected: 'an answer within the timeout',
  });
}

/** Triton answered with an error status; its own message is kept. */
export function upstreamRejected(url: string, status: number, message: string): LlmDeployError {
  return new LlmDeployError(`the Triton server at ${url} answered ${status}: ${message}`, {
    code: 'ENGINE_UPSTREAM_ERROR',
    httpStatus: 502,
    given: `HTTP ${status}`,
    expected: 'HTTP 200 with the FasterTransformer outputs',
  });
}

/** A generation setting the FasterTransformer contract cannot express. */
export function unsupportedByTriton(field: string, value: unknown, expected: string): LlmDeployError {
  return new LlmDeployError('setting not supported by the Triton (FasterTransformer) backend', {
    code: 'ENGINE_PARAMS_INVALID',
    httpStatus: 400,
    field,
    given: JSON.stringify(value) ?? String(value),
    expected,
  });
}

/** The prompt is empty or longer than the backend accepts. */
export function promptInvalid(given: string, expected: string): LlmDeployError {
  return new LlmDeployError('the prompt is out of range', {
    code: 'ENGINE_INPUT_INVALID',
    httpStatus: 400,
    field: 'inputIds',
    given,
    expected,
  });
}
