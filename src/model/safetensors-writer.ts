import { closeSync, openSync, writeSync } from 'node:fs';
import { floatToBfloat16Bits, floatToHalfBits } from './dtype.js';
import type { FloatDtype } from './dtype.js';
import { renderShape, weightsInvalid } from './errors.js';
import { elementCount } from './tensor-record.js';

/** Values of one tensor: float32 (converted to F16/BF16 when asked) or raw 16-bit patterns for F16/BF16. */
export type SafetensorsData = Float32Array | Uint16Array;

/** One tensor to write; `data` may be a function, called when the tensor is written, so big files need not be held at once. */
export interface SafetensorsTensorInput {
  readonly dtype: FloatDtype;
  readonly shape: readonly number[];
  readonly data: SafetensorsData | (() => SafetensorsData);
}

/**
 * Writes a safetensors file (8-byte LE header length, space-padded JSON header, then data in the
 * given order). Used by tests, benchmarks and converters.
 * @example await writeSafetensors('model.safetensors', { 'shared.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) } }, { format: 'pt' })
 */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, SafetensorsTensorInput> | Readonly<Record<string, SafetensorsTensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  let offset = 0;
  for (const [name, tensor] of entries) {
    const bytes = elementCount(tensor.shape) * (tensor.dtype === 'F32' ? 4 : 2);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.byteLength / 8) * 8, 0x20);
  json.copy(padded);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(padded.byteLength));
  const descriptor = openSync(path, 'w');
  try {
    writeAll(descriptor, prefix);
    writeAll(descriptor, padded);
    for (const [name, tensor] of entries) writeAll(descriptor, encode(path, name, tensor));
  } finally {
    closeSync(descriptor);
  }
}

function encode(path: string, name: string, tensor: SafetensorsTensorInput): Uint8Array {
  const data = typeof tensor.data === 'function' ? tensor.data() : tensor.data;
  const count = elementCount(tensor.shape);
  const rawHalves = data instanceof Uint16Array;
  if (data.length !== count || (rawHalves && tensor.dtype === 'F32')) {
    throw weightsInvalid(path, 'tensor data does not fit its dtype and shape', {
      field: name,
      given: `${data.length} ${rawHalves ? 'uint16' : 'float32'} values`,
      expected: `${count} values for ${tensor.dtype} ${renderShape(tensor.shape)}`,
    });
  }
  if (tensor.dtype === 'F32' || rawHalves) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const halves = new Uint16Array(count);
  const convert = tensor.dtype === 'F16' ? floatToHalfBits : floatToBfloat16Bits;
  for (let index = 0; index < count; index += 1) halves[index] = convert(data[index] ?? 0);
  return new Uint8Array(halves.buffer);
}

function writeAll(descriptor: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(descriptor, bytes, done, Math.min(bytes.byteLength - done, 1 << 30));
}
