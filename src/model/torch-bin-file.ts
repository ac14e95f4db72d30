import { closeSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { dtypeBytes } from './dtype.js';
import { modelError, renderShape, weightsInvalid } from './errors.js';
import { openModelFileSync } from './model-file.js';
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
  const { descriptor } = openModelFileSync(file, 'a PyTorch weight file');
  try {
    const entries = new Map(readZipDirectory(descriptor, file).map((entry) => [entry.name, entry]));
    const pickle = [...entries.values()].find((entry) => entry.name.endsWith('data.pkl') && entry.name.split('/').length === 2);
    if (pickle === undefined)
      throw weightsInvalid(file, 'zip holds no <root>/data.pkl: not a PyTorch checkpoint', { expected: 'a file written by torch.save' });
    const root = pickle.name.slice(0, -'data.pkl'.length);
    checkByteOrder(descriptor, file, entries.get(`${root}byteorder`));
    const stateDict = unpickleStateDict(readMember(descriptor, file, pickle), file);
    const tensors = tensorsOf(stateDict, file);
    const needed = bytesNeeded(tensors);
    return tensors.map(([name, tensor]) =>
      toRecord({
        name,
        tensor,
        file,
        member: entries.get(`${root}data/${tensor.storage.key}`),
        neededBytes: needed.get(tensor.storage.key) ?? 0,
      }),
    );
  } finally {
    closeSync(descriptor);
  }
}

// data.pkl of a checkpoint with thousands of tensors is a few hundred KB; byteorder is one word.
const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

// Members read whole while indexing (data.pkl, byteorder): the declared size is capped before anything is inflated.
function readMember(descriptor: number, file: string, entry: ZipEntry): Buffer {
  if (entry.uncompressedBytes > MAX_PICKLE_BYTES || (entry.method === 0 && entry.compressedBytes > MAX_PICKLE_BYTES)) {
    throw weightsInvalid(file, 'zip member is too large for a pickle', {
      field: entry.name,
      given: `${Math.max(entry.uncompressedBytes, entry.compressedBytes)} bytes`,
      expected: `at most ${MAX_PICKLE_BYTES}`,
    });
  }
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

// Bytes of each storage that its tensors' views reach: a deflated member is inflated whole, so it may hold no more.
function bytesNeeded(tensors: readonly [string, PickleTensor][]): Map<string, number> {
  const needed = new Map<string, number>();
  for (const [, tensor] of tensors) {
    const end = (tensor.storageOffset + viewSpan(tensor.shape, tensor.strides)) * (dtypeBytes(tensor.storage.dtype) ?? 4);
    needed.set(tensor.storage.key, Math.max(needed.get(tensor.storage.key) ?? 0, end));
  }
  return needed;
}

interface FoundTensor {
  readonly name: string;
  readonly tensor: PickleTensor;
  readonly file: string;
  readonly member: ZipEntry | undefined;
  readonly neededBytes: number;
}

function toRecord(found: FoundTensor): TensorRecord {
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
  if (member.method === 8 && member.uncompressedBytes > found.neededBytes) {
    throw weightsInvalid(file, 'compressed tensor storage inflates to more than its tensors use (a zip bomb?)', {
      field: name,
      given: `${member.uncompressedBytes} bytes from ${member.compressedBytes} compressed`,
      expected: `at most ${found.neededBytes} bytes (what the tensors viewing it reach)`,
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
