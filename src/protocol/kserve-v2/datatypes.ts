/**
 * The KServe v2 datatype table: element size in bytes (null for variable-length BYTES), how an
 * element is written in JSON, and integer ranges. FP16/BF16 are binary-only, as in Triton.
 */

/** Every datatype of the open inference protocol plus Triton's BF16. */
export const KSERVE_V2_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
  'BF16',
] as const;

/** A tensor element type on the wire. */
export type KServeV2Datatype = (typeof KSERVE_V2_DATATYPES)[number];

/** How an element appears in JSON `data`: `bigint` = integer that may exceed 2^53 (UINT64/INT64). */
export type JsonElementKind = 'boolean' | 'integer' | 'bigint' | 'float' | 'string' | 'binary-only';

/** Facts about one datatype. */
export interface DatatypeInfo {
  /** Bytes per element; null for BYTES (4-byte length prefix + payload per element). */
  readonly bytesPerElement: number | null;
  readonly json: JsonElementKind;
  /** Inclusive range for integer types. */
  readonly min?: bigint;
  readonly max?: bigint;
}

const intRange = (bits: number, signed: boolean): { min: bigint; max: bigint } =>
  signed ? { min: -(1n << BigInt(bits - 1)), max: (1n << BigInt(bits - 1)) - 1n } : { min: 0n, max: (1n << BigInt(bits)) - 1n };

/** The table itself. Sizes from the KServe v2 spec (BOOL 1 byte, FP16 2, ...). */
export const DATATYPE_INFO: Readonly<Record<KServeV2Datatype, DatatypeInfo>> = {
  BOOL: { bytesPerElement: 1, json: 'boolean' },
  UINT8: { bytesPerElement: 1, json: 'integer', ...intRange(8, false) },
  UINT16: { bytesPerElement: 2, json: 'integer', ...intRange(16, false) },
  UINT32: { bytesPerElement: 4, json: 'integer', ...intRange(32, false) },
  UINT64: { bytesPerElement: 8, json: 'bigint', ...intRange(64, false) },
  INT8: { bytesPerElement: 1, json: 'integer', ...intRange(8, true) },
  INT16: { bytesPerElement: 2, json: 'integer', ...intRange(16, true) },
  INT32: { bytesPerElement: 4, json: 'integer', ...intRange(32, true) },
  INT64: { bytesPerElement: 8, json: 'bigint', ...intRange(64, true) },
  FP16: { bytesPerElement: 2, json: 'binary-only' },
  FP32: { bytesPerElement: 4, json: 'float' },
  FP64: { bytesPerElement: 8, json: 'float' },
  BYTES: { bytesPerElement: null, json: 'string' },
  BF16: { bytesPerElement: 2, json: 'binary-only' },
};

/** Number of elements of a shape (`[]` is a scalar: 1). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Byte size of a fixed-size tensor; null for BYTES. UINT32 `[2,2]` = 16, BOOL `[3]` = 3, FP32 `[3,2]` = 24. */
export function tensorByteSize(datatype: KServeV2Datatype, shape: readonly number[]): number | null {
  const size = DATATYPE_INFO[datatype].bytesPerElement;
  return size === null ? null : size * elementCount(shape);
}

/**
 * Element count of a shape, or undefined when it passes 2^53 - 1 (a product that large cannot be
 * held, and as a double it would round, so a lying shape could match a wrong count).
 */
export function checkedElementCount(shape: readonly number[]): number | undefined {
  let product = 1;
  for (const dim of shape) {
    if (dim === 0) return 0;
    product *= dim;
  }
  return Number.isSafeInteger(product) ? product : undefined;
}

const MAX_SHAPE_DIMS_SHOWN = 16;

/** `[2,4]` for messages; a shape of thousands of dimensions shows its first 16 and the rank. */
export function formatShape(shape: readonly number[]): string {
  if (shape.length <= MAX_SHAPE_DIMS_SHOWN) return `[${shape.join(',')}]`;
  return `[${shape.slice(0, MAX_SHAPE_DIMS_SHOWN).join(',')},... (${shape.length} dimensions)]`;
}
