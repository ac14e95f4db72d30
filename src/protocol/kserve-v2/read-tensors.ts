/** Reads the tensor list of a request or response: JSON `data`, or a slice of the binary part. */
import type { LlmDeployError } from '../../config/index.js';
import { messageError, PROTOCOL_ERROR_CODES } from '../errors.js';
import { renderValue } from '../zod-error.js';
import { formatShape, tensorByteSize, type KServeV2Datatype } from './datatypes.js';
import type { KServeV2Parameters, KServeV2Tensor } from './tensor.js';
import { tensorFromBinary } from './tensor-binary.js';
import { tensorField, tensorFromJson, type TensorDescriptor, type TensorOrigin } from './tensor-json.js';

/** A tensor as the JSON part lists it. */
export interface WireTensor {
  readonly name: string;
  readonly datatype: KServeV2Datatype;
  readonly shape: readonly number[];
  readonly parameters?: KServeV2Parameters | undefined;
  readonly data?: unknown;
}

/** The binary-size parameter name. */
export const BINARY_DATA_SIZE = 'binary_data_size';

function withoutBinarySize(parameters: KServeV2Parameters | undefined): KServeV2Parameters | undefined {
  if (parameters === undefined || !(BINARY_DATA_SIZE in parameters)) return parameters;
  const rest = Object.fromEntries(Object.entries(parameters).filter(([key]) => key !== BINARY_DATA_SIZE));
  return Object.keys(rest).length === 0 ? undefined : rest;
}

function descriptorOf(wire: WireTensor): TensorDescriptor {
  const parameters = withoutBinarySize(wire.parameters);
  const base = { name: wire.name, datatype: wire.datatype, shape: wire.shape };
  return parameters === undefined ? base : { ...base, parameters };
}

function fail(origin: TensorOrigin, name: string, summary: string, facts: { given: string; expected: string }): LlmDeployError {
  return messageError(origin.source, summary, { code: PROTOCOL_ERROR_CODES.tensorInvalid, field: tensorField(origin, name), ...facts });
}

function binarySize(wire: WireTensor, origin: TensorOrigin): number | undefined {
  const size = wire.parameters?.[BINARY_DATA_SIZE];
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw fail(origin, wire.name, 'bad binary_data_size', { given: renderValue(size), expected: 'a non-negative integer (bytes)' });
  if (wire.data !== undefined)
    throw fail(origin, wire.name, 'has both data and binary_data_size', { given: 'both', expected: 'JSON data or binary data, not both' });
  const needed = tensorByteSize(wire.datatype, wire.shape);
  if (needed !== null && needed !== size)
    throw fail(origin, wire.name, `binary_data_size does not match shape ${formatShape(wire.shape)} ${wire.datatype}`, {
      given: `binary_data_size ${size}`,
      expected: `${needed} bytes`,
    });
  return size;
}

/**
 * Decodes every tensor in order, consuming binary chunks for those with `binary_data_size`.
 * All of `binary` must be consumed; `headerSent` tunes the hint when binary data is missing.
 */
export function readTensors(
  wires: readonly WireTensor[],
  binary: Uint8Array,
  origin: TensorOrigin & { readonly headerSent: boolean },
): KServeV2Tensor[] {
  const seen = new Set<string>();
  let offset = 0;
  const tensors = wires.map((wire) => {
    if (seen.has(wire.name))
      throw fail(origin, wire.name, `is listed twice`, { given: `two ${origin.role}s named '${wire.name}'`, expected: 'unique names' });
    seen.add(wire.name);
    const size = binarySize(wire, origin);
    if (size === undefined) {
      if (wire.data === undefined)
        throw fail(origin, wire.name, 'has no data', { given: 'neither data nor parameters.binary_data_size', expected: 'one of them' });
      return tensorFromJson(descriptorOf(wire), wire.data, origin);
    }
    if (offset + size > binary.length) {
      const hint = origin.headerSent ? '' : ' (the Inference-Header-Content-Length header is missing)';
      throw fail(origin, wire.name, `binary data ends early${hint}`, {
        given: `binary_data_size ${size} but ${binary.length - offset} bytes left`,
        expected: `${size} bytes after the earlier binary ${origin.role}s`,
      });
    }
    const tensor = tensorFromBinary(descriptorOf(wire), binary.subarray(offset, offset + size), origin);
    offset += size;
    return tensor;
  });
  if (offset !== binary.length) {
    throw messageError(origin.source, `binary data does not match the ${origin.role}s' binary_data_size total`, {
      code: PROTOCOL_ERROR_CODES.tensorInvalid,
      field: 'body',
      given: `${binary.length} bytes of binary data`,
      expected: `${offset} bytes (the sum of binary_data_size)`,
    });
  }
  return tensors;
}
