/**
 * A decoded tensor: name, datatype, shape and the elements in a typed array that matches the
 * datatype (BOOL as 0/1 bytes, UINT64/INT64 as BigInt arrays, FP16/BF16 as raw 16-bit words,
 * BYTES as one byte array per element). Row-major, like the wire.
 */
import type { KServeV2Datatype } from './datatypes.js';

/** Parameter values allowed by the protocol. */
export type KServeV2ParameterValue = string | number | boolean;

/** `parameters` objects of requests, tensors and responses. */
export type KServeV2Parameters = Readonly<Record<string, KServeV2ParameterValue>>;

/** The element container for each datatype. */
export interface KServeV2TensorArrays {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BYTES: readonly Uint8Array[];
  BF16: Uint16Array;
}

/** A tensor of datatype D. */
export interface KServeV2TensorOf<D extends KServeV2Datatype> {
  readonly name: string;
  readonly datatype: D;
  readonly shape: readonly number[];
  readonly data: KServeV2TensorArrays[D];
  readonly parameters?: KServeV2Parameters;
}

/** A tensor of any datatype; narrow on `datatype`. */
export type KServeV2Tensor = { [D in KServeV2Datatype]: KServeV2TensorOf<D> }[KServeV2Datatype];

/** Name, datatype and shape without data (model metadata; -1 marks a variable dimension). */
export interface KServeV2TensorMetadata {
  readonly name: string;
  readonly datatype: KServeV2Datatype;
  readonly shape: readonly number[];
}

/** Name, datatype D, shape and parameters of a tensor to build. */
export interface TensorHeader<D extends KServeV2Datatype> {
  readonly name: string;
  readonly datatype: D;
  readonly shape: readonly number[];
  readonly parameters?: KServeV2Parameters | undefined;
}

/**
 * Builds a tensor whose data type follows `datatype`.
 * @example createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(20))
 */
export function createTensor<D extends KServeV2Datatype>(header: TensorHeader<D>, data: KServeV2TensorArrays[D]): KServeV2Tensor {
  const { name, datatype, shape, parameters } = header;
  const tensor: KServeV2TensorOf<D> =
    parameters === undefined ? { name, datatype, shape, data } : { name, datatype, shape, data, parameters };
  // TypeScript cannot see that KServeV2TensorOf<D> is one member of the mapped union.
  return tensor as unknown as KServeV2Tensor;
}

/** Number of elements actually held (BYTES: entries; others: array length). */
export function heldElements(tensor: KServeV2Tensor): number {
  return tensor.data.length;
}
