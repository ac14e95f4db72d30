/** Test helper: asserts an LlmDeployError with a status, a code and message parts. */
import assert from 'node:assert/strict';
import { LlmDeployError } from '../../config/index.js';

/** What a thrown error must carry. */
export interface ExpectedError {
  readonly status: number;
  readonly code?: string;
  readonly parts?: readonly string[];
}

/** Asserts that `run` throws an LlmDeployError matching `expected`. */
export function assertLlmDeployError(run: () => unknown, expected: ExpectedError): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error), `not an LlmDeployError: ${String(error)}`);
    assert.equal(error.httpStatus, expected.status, error.message);
    if (expected.code !== undefined) assert.equal(error.code, expected.code, error.message);
    for (const part of expected.parts ?? []) assert.match(error.message, new RegExp(part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    return true;
  });
}
