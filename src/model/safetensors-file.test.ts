import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { writeRawSafetensors } from './__fixtures__/raw-safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { rejectsWith, readTensors } from './__fixtures__/rejects-with.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-safetensors-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const scratchFile = (): string => join(scratch, `case-${(counter += 1)}.safetensors`);

const F32 = (count: number): Uint8Array => new Uint8Array(count * 4);

describe('safetensors reading and writing', () => {
  it('reads the fixture header: names, F32, metadata', () => {
    const parsed = readSafetensorsFile(join(fixtures, 't5-tiny-relu', 'model.safetensors'));
    const expected: unknown = JSON.parse(readFileSync(join(fixtures, 't5-tiny-relu', 'expected.json'), 'utf8'));
    assert.ok(typeof expected === 'object' && expected !== null && 'safetensors_keys' in expected && 'safetensors_metadata' in expected);
    assert.deepEqual(parsed.tensors.map((record) => record.name).sort(), expected.safetensors_keys);
    assert.deepEqual(parsed.metadata, expected.safetensors_metadata);
    assert.ok(parsed.tensors.every((record) => record.dtype === 'F32'));
  });

  it('refuses a header length that overruns the file', () => {
    const file = scratchFile();
    writeRawSafetensors(file, { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, F32(1), 10_000);
    assert.throws(() => readSafetensorsFile(file), rejectsWith('MODEL_WEIGHTS_INVALID', { file }));
    const tiny = scratchFile();
    writeFileSync(tiny, Buffer.from([1, 2, 3]));
    assert.throws(() => readSafetensorsFile(tiny), rejectsWith('MODEL_WEIGHTS_INVALID', { file: tiny }));
  });

  it('refuses a header that is not JSON, not an object, or has a malformed entry', () => {
    const cases: unknown[] = [
      '{"a": {"dtype": "F32", ',
      '[1, 2]',
      { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } },
      { __metadata__: { format: 1 } },
    ];
    for (const header of cases) {
      const file = scratchFile();
      writeRawSafetensors(file, header, F32(1));
      assert.throws(() => readSafetensorsFile(file), rejectsWith('MODEL_WEIGHTS_INVALID', { file }));
    }
  });

  it('names the tensor whose offsets overrun the file, overlap, or disagree with its shape', () => {
    const cases = [
      { header: { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data: F32(2) },
      {
        header: { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, w: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
        data: F32(3),
      },
      { header: { w: { dtype: 'F16', shape: [2], data_offsets: [0, 8] } }, data: F32(2) },
      { header: { w: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, data: F32(3) },
      { header: { w: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, data: F32(1) },
    ];
    for (const { header, data } of cases) {
      const file = scratchFile();
      writeRawSafetensors(file, header, data);
      assert.throws(() => readSafetensorsFile(file), rejectsWith('MODEL_WEIGHTS_INVALID', { file, field: 'w' }));
    }
  });

  it('names the last tensor of a truncated fixture', () => {
    const file = scratchFile();
    const whole = readFileSync(join(fixtures, 't5-tiny-relu', 'model.safetensors'));
    writeFileSync(file, whole.subarray(0, whole.byteLength - 10));
    const error = (() => {
      try {
        readSafetensorsFile(file);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(LlmDeployError.isInstance(error));
    assert.equal(error.code, 'MODEL_WEIGHTS_INVALID');
    assert.equal(error.file, file);
    assert.ok(error.field !== undefined && error.field.endsWith('.weight'), error.message);
  });

  it('reports a missing file', () => {
    assert.throws(() => readSafetensorsFile(join(scratch, 'absent.safetensors')), rejectsWith('MODEL_FILE_MISSING'));
  });

  it('refuses to read a non-float dtype as float', () => {
    const file = scratchFile();
    writeRawSafetensors(file, { ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    assert.throws(() => readTensors(file), rejectsWith('MODEL_DTYPE_UNSUPPORTED', { file, field: 'ids' }));
  });
});
