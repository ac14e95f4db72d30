/** One tensor as an entry of an outgoing infer message, shared by requests (client) and responses (server). */
import type { KServeV2InferRequestInput } from './infer-request.js';
import { BINARY_DATA_SIZE } from './read-tensors.js';
import type { KServeV2Tensor } from './tensor.js';
import { binaryByteLength, tensorToBinary } from './tensor-binary.js';
import { tensorToJson } from './tensor-json.js';

/** Options of {@link tensorEntry}. */
export interface TensorEntryOptions {
  /** Send the data as binary tensor data after the JSON part, rather than inline. */
  readonly binary: boolean;
  readonly role: 'input' | 'output';
  /** Binary data is appended here, in entry order. */
  readonly chunks: Uint8Array[];
}

/**
 * The JSON entry of `tensor`: its data inline, or, binary, its bytes appended to `chunks` and their
 * size in the `binary_data_size` parameter (Triton's binary tensor data extension).
 * @example const entry = tensorEntry(tensor, { binary: true, role: 'input', chunks })
 */
export function tensorEntry(tensor: KServeV2Tensor, options: TensorEntryOptions): KServeV2InferRequestInput {
  const base = { name: tensor.name, datatype: tensor.datatype, shape: [...tensor.shape] };
  if (!options.binary) {
    return {
      ...base,
      ...(tensor.parameters === undefined ? {} : { parameters: tensor.parameters }),
      data: tensorToJson(tensor, { source: 'request', role: options.role }),
    };
  }
  options.chunks.push(tensorToBinary(tensor));
  return { ...base, parameters: { ...tensor.parameters, [BINARY_DATA_SIZE]: binaryByteLength(tensor) } };
}
