import { closeSync, openSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { dtypeBytes } from './dtype.js';
import { fileMissing, modelError, renderShape, weightsInvalid } from './errors.js';
import { unpickleStateDict } from './pickle-machine.js';
import type { PickleTensor, PickleValue } from './pickle-machine.js';
import { viewSpan } from './tensor-record.js';
import type { TensorRecord } from './tensor-record.js';
import { readAt, readZipDirectory } from './zip-directory.js';
import type { ZipEntry } from './zip-directory.js';

/**
 * Indexes a PyTorch zip checkpoint (pytorch_model.bin): `<root>/data.pkl` is run through the
 * restricted pickle machine and each tensor is located in its `<root>/data/<key>` member.
 * Nothing is executed and no tensor data is read here.
 */
export async function readTorchBinFile(file: string): Promise<TensorRecord[]> {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch (error) {
    throw fileMissing(file, 'a PyTorch weight file', error);
  }
  try {
    const entries = new Map(readZipDirectory(descriptor, file).map((entry) => [entry.name, entry]));
    const pickle = [...entries.values()].find((entry) => entry.name.endsWith('data.pkl') && entry.name.split('/').length === 2);
    if (pickle === undefined)
      throw weightsInvalid(file, 'zip holds no <root>/data.pkl: not a PyTorch checkpoint', { expected: 'a file written by torch.save' });
    const root = pickle.name.slice(0, -'data.pkl'.length);
    checkByteOrder(descriptor, file, entries.get(`${root}byteorder`));
    const stateDict = unpickleStateDict(readMember(descriptor, file, pickle), file);
    return tensorsOf(stateDict, file).map(([name, tensor]) =>
      toRecord({ name, tensor, file, member: entries.get(`${root}data/${tensor.storage.key}`) }),
    );
  } finally {
    closeSync(descriptor);
  }
}

function readMember(descriptor: number, file: string, entry: ZipEntry): Buffer {
  const bytes = readAt(descriptor, entry.dataOffset, entry.compressedBytes, file);
  if (entry.method === 0) return bytes;
  if (entry.method !== 8)
    throw weightsInvalid(file, 'zip member uses an unsupported compression', {
      field: entry.name,
      given: `method ${entry.method}`,
      expected: 'stored (0) or deflated (8)',
    });
  try {
    return inflateRawSync(bytes, { maxOutputLength: Math.max(1, entry.uncompressedBytes) });
  } catch (error) {
    throw weightsInvalid(file, 'zip member cannot be inflated', { field: entry.name, cause: error });
  }
}

function checkByteOrder(descriptor: number, file: string, entry: ZipEntry | undefined): void {
  if (entry === undefined) return;
  const order = readMember(descriptor, file, entry).toString('utf8').trim();
  if (order !== 'little')
    throw modelError('MODEL_UNSUPPORTED', 'checkpoint stores big-endian tensors', { file, given: order, expected: 'little' });
}

function isTensor(value: PickleValue): value is PickleTensor {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && value.kind === 'tensor';
}

function tensorsOf(stateDict: PickleValue, file: string): [string, PickleTensor][] {
  if (!(stateDict instanceof Map)) {
    throw modelError('MODEL_PICKLE_UNEXPECTED', 'checkpoint does not pickle a state dict', {
      file,
      given: describe(stateDict),
      expected: 'a dict of tensor name -> tensor',
    });
  }
  const tensors: [string, PickleTensor][] = [];
  for (const [name, value] of stateDict) {
    if (typeof name !== 'string' || !isTensor(value)) {
      throw modelError('MODEL_PICKLE_UNEXPECTED', 'state dict holds something other than a tensor', {
        file,
        field: String(name),
        given: describe(value),
        expected: 'a tensor',
      });
    }
    tensors.push([name, value]);
  }
  return tensors;
}

function describe(value: PickleValue): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a tuple or list';
  if (value instanceof Map) return 'a dict';
  if (typeof value === 'object') return `a ${value.kind}`;
  return `a ${typeof value}`;
}

function toRecord(found: { name: string; tensor: PickleTensor; file: string; member: ZipEntry | undefined }): TensorRecord {
  const { name, tensor, file, member } = found;
  const { storage } = tensor;
  if (member === undefined) {
    throw weightsInvalid(file, 'tensor storage is missing from the archive', { field: name, expected: `a member data/${storage.key}` });
  }
  const bytes = dtypeBytes(storage.dtype) ?? 4;
  if (member.uncompressedBytes < storage.elementCount * bytes) {
    throw weightsInvalid(file, 'tensor storage is shorter than its element count (truncated?)', {
      field: name,
      given: `${member.uncompressedBytes} bytes`,
      expected: `${storage.elementCount * bytes} (${storage.elementCount} x ${storage.dtype})`,
    });
  }
  if (
    tensor.shape.length !== tensor.strides.length ||
    tensor.storageOffset + viewSpan(tensor.shape, tensor.strides) > storage.elementCount
  ) {
    throw weightsInvalid(file, 'tensor view reaches past its storage', {
      field: name,
      given: `offset ${tensor.storageOffset}, shape ${renderShape(tensor.shape)}, strides ${renderShape(tensor.strides)}`,
      expected: `within ${storage.elementCount} elements`,
    });
  }
  const location =
    member.method === 0
      ? ({ kind: 'raw', byteOffset: member.dataOffset } as const)
      : ({
          kind: 'deflated',
          byteOffset: member.dataOffset,
          compressedBytes: member.compressedBytes,
          uncompressedBytes: member.uncompressedBytes,
        } as const);
  if (member.method !== 0 && member.method !== 8) {
    throw weightsInvalid(file, 'zip member uses an unsupported compression', {
      field: name,
      given: `method ${member.method}`,
      expected: 'stored (0) or deflated (8)',
    });
  }
  return {
    name,
    file,
    dtype: storage.dtype,
    shape: tensor.shape,
    strides: tensor.strides,
    storage: location,
    storageOffset: tensor.storageOffset,
  };
}
