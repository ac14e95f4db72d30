// assert.throws/rejects matchers for model errors, and a whole-file tensor read for tests.
import assert from 'node:assert/strict';
import { LlmDeployError } from '../../config/index.js';
import { readSafetensorsFile } from '../safetensors-file.js';
import { TensorReader } from '../tensor-reader.js';

/** Facts an expected error must carry: strings compare equal, a RegExp must match. */
export interface ExpectedFacts {
  readonly file?: string;
  readonly field?: string;
  readonly given?: string | RegExp;
  readonly expected?: string;
}

/**
 * A matcher for `assert.throws` / `assert.rejects`: an LlmDeployError with `code` and the given facts,
 * whose message never betrays a stack overflow.
 */
export function rejectsWith(code: string, facts: ExpectedFacts = {}): (error: unknown) => boolean {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (facts.file !== undefined) assert.equal(error.file, facts.file, error.message);
    if (facts.field !== undefined) assert.equal(error.field, facts.field, error.message);
    if (typeof facts.given === 'string') assert.equal(error.given, facts.given, error.message);
    else if (facts.given !== undefined) assert.match(error.given ?? '', facts.given, error.message);
    if (facts.expected !== undefined) assert.equal(error.expected, facts.expected, error.message);
    assert.doesNotMatch(error.message, /call stack/);
    return true;
  };
}

/** Every tensor of a safetensors file as float32, by name. */
export function readTensors(file: string): Map<string, Float32Array> {
  const reader = new TensorReader();
  try {
    return new Map(readSafetensorsFile(file).tensors.map((record) => [record.name, reader.read(record)]));
  } finally {
    reader.close();
  }
}
