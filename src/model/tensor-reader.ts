import { closeSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { convertToFloat32, dtypeBytes, isFloatDtype } from './dtype.js';
import type { FloatDtype } from './dtype.js';
import { modelError, weightsInvalid } from './errors.js';
import { openModelFileSync } from './model-file.js';
import { elementCount, isContiguous, viewSpan } from './tensor-record.js';
import type { StorageLocation, TensorRecord } from './tensor-record.js';

const CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_READ_BYTES = 1024 * 1024 * 1024;

/** Reads tensors from weight files into float32, keeping one descriptor per file open until `close`. */
export class TensorReader {
  readonly #descriptors = new Map<string, number>();

  /** Opens `file` now so a missing file fails at open time; returns its descriptor. */
  open(file: string): number {
    const known = this.#descriptors.get(file);
    if (known !== undefined) return known;
    const { descriptor } = openModelFileSync(file, 'a weight file');
    this.#descriptors.set(file, descriptor);
    return descriptor;
  }

  /** Reads `record` into a new float32 array (row-major, `shape` of the record). */
  read(record: TensorRecord): Float32Array {
    const dtype = record.dtype;
    if (!isFloatDtype(dtype)) {
      throw modelError('MODEL_DTYPE_UNSUPPORTED', 'tensor has a dtype that cannot be read as float', {
        file: record.file,
        field: record.name,
        given: dtype,
        expected: 'F32, F16 or BF16',
      });
    }
    const count = elementCount(record.shape);
    const strides = record.strides;
    if (strides === undefined || isContiguous(record.shape, strides)) return this.#readRun(record, dtype, record.storageOffset, count);
    const span = this.#readRun(record, dtype, record.storageOffset, viewSpan(record.shape, strides));
    return gather(span, record.shape, strides);
  }

  /** Closes every file opened so far. */
  close(): void {
    for (const descriptor of this.#descriptors.values()) closeSync(descriptor);
    this.#descriptors.clear();
  }

  // `count` consecutive storage elements starting at element `first`, converted to float32.
  #readRun(record: TensorRecord, dtype: FloatDtype, first: number, count: number): Float32Array {
    const bytes = dtypeBytes(dtype) ?? 4;
    const target = new Float32Array(count);
    const location = record.storage;
    if (location.kind === 'deflated') {
      const inflated = this.#inflate(record, location);
      const start = first * bytes;
      if (start + count * bytes > inflated.byteLength)
        throw weightsInvalid(record.file, 'tensor data is truncated', { field: record.name });
      convertToFloat32(inflated.subarray(start, start + count * bytes), dtype, target, 0);
      return target;
    }
    const descriptor = this.open(record.file);
    const position = location.byteOffset + first * bytes;
    if (dtype === 'F32') {
      readFully(descriptor, new Uint8Array(target.buffer), position, record);
      return target;
    }
    const perChunk = Math.floor(CHUNK_BYTES / bytes);
    const buffer = new Uint8Array(Math.min(count, perChunk) * bytes);
    for (let done = 0; done < count; done += perChunk) {
      const part = Math.min(perChunk, count - done);
      const slice = buffer.subarray(0, part * bytes);
      readFully(descriptor, slice, position + done * bytes, record);
      convertToFloat32(slice, dtype, target, done);
    }
    return target;
  }

  #inflate(record: TensorRecord, location: Extract<StorageLocation, { kind: 'deflated' }>): Uint8Array {
    const compressed = new Uint8Array(location.compressedBytes);
    readFully(this.open(record.file), compressed, location.byteOffset, record);
    try {
      return inflateRawSync(compressed, { maxOutputLength: Math.max(1, location.uncompressedBytes) });
    } catch (error) {
      throw weightsInvalid(record.file, 'compressed tensor data cannot be inflated', { field: record.name, cause: error });
    }
  }
}

function readFully(descriptor: number, target: Uint8Array, position: number, record: TensorRecord): void {
  let done = 0;
  while (done < target.byteLength) {
    const length = Math.min(MAX_READ_BYTES, target.byteLength - done);
    const got = readSync(descriptor, target, done, length, position + done);
    if (got === 0) {
      throw weightsInvalid(record.file, 'file ends inside tensor data (truncated?)', {
        field: record.name,
        given: `${position + done} bytes`,
        expected: `at least ${position + target.byteLength} bytes`,
      });
    }
    done += got;
  }
}

// Copies a strided view (elements relative to the view's first element) into row-major order.
function gather(span: Float32Array, shape: readonly number[], strides: readonly number[]): Float32Array {
  const out = new Float32Array(elementCount(shape));
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let position = 0; position < out.length; position += 1) {
    out[position] = span[source] ?? 0;
    for (let axis = rank - 1; axis >= 0; axis -= 1) {
      index[axis] = (index[axis] ?? 0) + 1;
      source += strides[axis] ?? 0;
      if ((index[axis] ?? 0) < (shape[axis] ?? 0)) break;
      source -= (shape[axis] ?? 0) * (strides[axis] ?? 0);
      index[axis] = 0;
    }
  }
  return out;
}
