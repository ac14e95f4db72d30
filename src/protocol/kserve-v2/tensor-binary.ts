/**
 * Raw bytes <-> typed tensors for the Triton binary tensor data extension: little-endian,
 * row-major, packed; BYTES elements as a uint32 LE length followed by the payload.
 */
import type { LlmDeployError } from '../../config/index.js';
import { messageError, PROTOCOL_ERROR_CODES } from '../errors.js';
import { DATATYPE_INFO, elementCount, formatShape, type KServeV2Datatype } from './datatypes.js';
import { createTensor, type KServeV2Tensor, type KServeV2TensorArrays } from './tensor.js';
import { tensorField, type TensorDescriptor, type TensorOrigin } from './tensor-json.js';

// Typed-array views share the host byte order; the wire is little-endian.
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('assert: a little-endian host (big-endian is not supported)');

function sizeError(origin: TensorOrigin, descriptor: TensorDescriptor, given: string, expected: string): LlmDeployError {
  return messageError(origin.source, `binary_data_size does not match shape ${formatShape(descriptor.shape)} ${descriptor.datatype}`, {
    code: PROTOCOL_ERROR_CODES.tensorInvalid,
    field: tensorField(origin, descriptor.name),
    given,
    expected,
  });
}

/** Byte length the tensor takes in binary form. */
export function binaryByteLength(tensor: KServeV2Tensor): number {
  if (tensor.datatype === 'BYTES') return tensor.data.reduce((sum, element) => sum + 4 + element.length, 0);
  return tensor.data.byteLength;
}

function parseBytesElements(descriptor: TensorDescriptor, bytes: Uint8Array, origin: TensorOrigin): Uint8Array[] {
  const needed = elementCount(descriptor.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length)
      throw sizeError(origin, descriptor, `${bytes.length} bytes ending in a cut length prefix`, `${needed} length-prefixed elements`);
    // zero-length elements cost 4 bytes each: stop at the shape's count, not at millions of objects
    if (elements.length >= needed)
      throw sizeError(origin, descriptor, `more than ${needed} BYTES elements`, `${needed} length-prefixed elements`);
    const length = view.getUint32(offset, true);
    if (offset + 4 + length > bytes.length)
      throw sizeError(
        origin,
        descriptor,
        `element ${elements.length} of ${length} bytes at offset ${offset} past the end (${bytes.length} bytes)`,
        `${needed} length-prefixed elements`,
      );
    elements.push(Uint8Array.from(bytes.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  if (elements.length !== needed) throw sizeError(origin, descriptor, `${elements.length} BYTES elements`, `${needed} elements`);
  return elements;
}

function view<D extends KServeV2Datatype>(descriptor: TensorDescriptor, datatype: D, data: KServeV2TensorArrays[D]): KServeV2Tensor {
  return createTensor({ name: descriptor.name, datatype, shape: descriptor.shape, parameters: descriptor.parameters }, data);
}

/**
 * Reads one tensor's binary chunk. Fixed-size types need exactly product(shape) x element size
 * bytes; BYTES need exactly product(shape) length-prefixed elements.
 */
export function tensorFromBinary(descriptor: TensorDescriptor, bytes: Uint8Array, origin: TensorOrigin): KServeV2Tensor {
  const { datatype } = descriptor;
  if (datatype === 'BYTES') return view(descriptor, 'BYTES', parseBytesElements(descriptor, bytes, origin));
  const needed = elementCount(descriptor.shape) * (DATATYPE_INFO[datatype].bytesPerElement ?? 0);
  if (bytes.length !== needed) throw sizeError(origin, descriptor, `${bytes.length} bytes`, `${needed} bytes`);
  const copy = new Uint8Array(bytes.length); // an aligned copy (slices of a body start at any offset)
  copy.set(bytes);
  const { buffer } = copy;
  switch (datatype) {
    case 'BOOL':
      return view(
        descriptor,
        'BOOL',
        new Uint8Array(buffer).map((value) => (value === 0 ? 0 : 1)),
      );
    case 'UINT8':
      return view(descriptor, 'UINT8', new Uint8Array(buffer));
    case 'UINT16':
      return view(descriptor, 'UINT16', new Uint16Array(buffer));
    case 'UINT32':
      return view(descriptor, 'UINT32', new Uint32Array(buffer));
    case 'UINT64':
      return view(descriptor, 'UINT64', new BigUint64Array(buffer));
    case 'INT8':
      return view(descriptor, 'INT8', new Int8Array(buffer));
    case 'INT16':
      return view(descriptor, 'INT16', new Int16Array(buffer));
    case 'INT32':
      return view(descriptor, 'INT32', new Int32Array(buffer));
    case 'INT64':
      return view(descriptor, 'INT64', new BigInt64Array(buffer));
    case 'FP16':
      return view(descriptor, 'FP16', new Uint16Array(buffer));
    case 'BF16':
      return view(descriptor, 'BF16', new Uint16Array(buffer));
    case 'FP32':
      return view(descriptor, 'FP32', new Float32Array(buffer));
    case 'FP64':
      return view(descriptor, 'FP64', new Float64Array(buffer));
    default: {
      const impossible: never = datatype;
      throw new Error(`impossible datatype ${String(impossible)}`);
    }
  }
}

/** The tensor's binary form (a view when possible, no copy). */
export function tensorToBinary(tensor: KServeV2Tensor): Uint8Array {
  if (tensor.datatype !== 'BYTES') return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out = new Uint8Array(binaryByteLength(tensor));
  const dataView = new DataView(out.buffer);
  let offset = 0;
  for (const element of tensor.data) {
    dataView.setUint32(offset, element.length, true);
    out.set(element, offset + 4);
    offset += 4 + element.length;
  }
  return out;
}
