import { LlmDeployError } from '../../config/index.js';

/** The waiting queue is at its limit; the server maps this to 429 or 503 by protocol. */
export function queueFull(maxQueue: number): LlmDeployError {
  return new LlmDeployError('the engine queue is full, try again shortly', {
    code: 'ENGINE_QUEUE_FULL',
    httpStatus: 503,
    field: 'maxQueue',
    given: String(maxQueue),
    expected: 'fewer requests waiting at once',
  });
}

/** The caller aborted the request (its AbortSignal fired). */
export function cancelled(): LlmDeployError {
  return new LlmDeployError('the generation was cancelled by the caller', { code: 'ENGINE_CANCELLED', httpStatus: 499 });
}

/** The engine was closed while the request waited or ran. */
export function closed(): LlmDeployError {
  return new LlmDeployError('the engine is shutting down', { code: 'ENGINE_CLOSED', httpStatus: 503 });
}

/** A request asks for more rows (beams or sequences) than one batch may hold. */
export function tooManyRows(rows: number, maxBatchSize: number): LlmDeployError {
  return new LlmDeployError('the request needs more decoder rows than the batch limit', {
    code: 'ENGINE_PARAMS_INVALID',
    httpStatus: 400,
    field: 'numBeams',
    given: `${rows} rows (num_beams x num_return_sequences)`,
    expected: `at most ${maxBatchSize} (the engine's maxBatchSize)`,
  });
}
