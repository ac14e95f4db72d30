/** Errors of the OpenAI-engine backend: the engine is down (503), too slow (504), refused or garbled (502), or asked for what it cannot do (400). */
import { LlmDeployError } from '../../config/index.js';

/** Which engine, and where. */
export interface EngineAt {
  /** The engine's own name (`vLLM`, `TensorRT-LLM`). */
  readonly label: string;
  readonly url: string;
}

/** The engine cannot be reached (refused, reset, DNS) or answered 503. */
export function engineUnavailable(at: EngineAt, detail: string, cause?: unknown): LlmDeployError {
  return new LlmDeployError(`the ${at.label} engine at ${at.url} is unavailable: ${detail}`, {
    code: 'ENGINE_UPSTREAM_UNAVAILABLE',
    httpStatus: 503,
    field: 'backendUrl',
    given: at.url,
    expected: `a running ${at.label} server (OpenAI-compatible API) with the model loaded`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The engine did not answer within the timeout. */
export function engineTimeout(at: EngineAt, timeoutMs: number): LlmDeployError {
  return new LlmDeployError(`the ${at.label} engine at ${at.url} did not answer in time`, {
    code: 'ENGINE_UPSTREAM_TIMEOUT',
    httpStatus: 504,
    field: 'timeoutMs',
    given: `${timeoutMs} ms`,
    expected: 'an answer within the timeout',
  });
}

/** The engine answered an error (status, or an error event in its stream); its own message is kept. */
export function engineRejected(at: EngineAt, status: string, message: string): LlmDeployError {
  return new LlmDeployError(`the ${at.label} engine at ${at.url} answered ${status}: ${message}`, {
    code: 'ENGINE_UPSTREAM_ERROR',
    httpStatus: 502,
    given: status,
    expected: 'a completion',
  });
}

/** The engine's answer is not the completion shape we asked for (e.g. no token ids). */
export function engineAnswerInvalid(at: EngineAt, detail: string, expected: string): LlmDeployError {
  return new LlmDeployError(`the ${at.label} engine at ${at.url} answered something we cannot read: ${detail}`, {
    code: 'ENGINE_UPSTREAM_ERROR',
    httpStatus: 502,
    given: detail,
    expected,
  });
}

/** A generation setting the engine's API cannot express; `field` is Hugging Face's name for it. */
export function unsupportedByEngine(
  label: string,
  facts: { readonly field: string; readonly given: unknown; readonly expected: string },
): LlmDeployError {
  return new LlmDeployError(`setting not supported by the ${label} backend`, {
    code: 'ENGINE_PARAMS_INVALID',
    httpStatus: 400,
    field: facts.field,
    given: JSON.stringify(facts.given) ?? String(facts.given),
    expected: facts.expected,
  });
}
