import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { LlmDeployError } from '../config/index.js';
import { float32Bytes } from './__fixtures__/torch-checkpoint.js';
import { TensorReader } from './tensor-reader.js';
import type { TensorRecord } from './tensor-record.js';

const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-reader-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A file of 16 bytes of padding then float32 0..count-1, and a record template for it. */
function rampFile(count: number): { file: string; base: Omit<TensorRecord, 'shape'> } {
  const file = join(scratch, `ramp-${(counter += 1)}.bin`);
  writeFileSync(file, Buffer.concat([Buffer.alloc(16), float32Bytes(Array.from({ length: count }, (_, index) => index))]));
  return { file, base: { name: 'w', file, dtype: 'F32', storage: { kind: 'raw', byteOffset: 16 }, storageOffset: 0 } };
}

function readOnce(record: TensorRecord): number[] {
  const reader = new TensorReader();
  try {
    return [...reader.read(record)];
  } finally {
    reader.close();
  }
}

describe('TensorReader', () => {
  it('reads contiguous, offset, transposed and broadcast views in row-major order', () => {
    const { base } = rampFile(12);
    assert.deepEqual(readOnce({ ...base, shape: [2, 3] }), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(readOnce({ ...base, shape: [2, 2], storageOffset: 8 }), [8, 9, 10, 11]);
    assert.deepEqual(readOnce({ ...base, shape: [4, 3], strides: [1, 4] }), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    assert.deepEqual(readOnce({ ...base, shape: [2, 2, 2], strides: [6, 1, 3], storageOffset: 1 }), [1, 4, 2, 5, 7, 10, 8, 11]);
    assert.deepEqual(readOnce({ ...base, shape: [3, 2], strides: [0, 1], storageOffset: 5 }), [5, 6, 5, 6, 5, 6]);
    assert.deepEqual(readOnce({ ...base, shape: [] }), [0]);
    assert.deepEqual(readOnce({ ...base, shape: [0, 4] }), []);
  });

  it('inflates deflated storages', () => {
    const file = join(scratch, `deflated-${(counter += 1)}.bin`);
    const compressed = deflateRawSync(float32Bytes([1, 2, 3, 4]));
    writeFileSync(file, Buffer.concat([Buffer.alloc(3), compressed]));
    const record: TensorRecord = {
      name: 'w',
      file,
      dtype: 'F32',
      shape: [2],
      strides: [2],
      storageOffset: 1,
      storage: { kind: 'deflated', byteOffset: 3, compressedBytes: compressed.byteLength, uncompressedBytes: 16 },
    };
    assert.deepEqual(readOnce(record), [2, 4]);
  });

  it('names the tensor when its file shrank after opening', () => {
    const { file, base } = rampFile(64);
    const reader = new TensorReader();
    try {
      reader.open(file);
      truncateSync(file, 100);
      assert.throws(
        () => reader.read({ ...base, shape: [64] }),
        (error: unknown) =>
          LlmDeployError.isInstance(error) && error.code === 'MODEL_WEIGHTS_INVALID' && error.field === 'w' && error.file === file,
      );
    } finally {
      reader.close();
    }
  });

  it('reopens files after close, reading from disk each time', () => {
    const { base } = rampFile(4);
    const reader = new TensorReader();
    const first = reader.read({ ...base, shape: [4] });
    reader.close();
    first.fill(-1);
    assert.deepEqual([...reader.read({ ...base, shape: [4] })], [0, 1, 2, 3]);
    reader.close();
  });
});
