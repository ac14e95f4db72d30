/** Where a tensor's storage starts inside a weight file. */
export type StorageLocation =
  /** Bytes stored as-is: storage element 0 sits at `byteOffset` (absolute, in the file). */
  | { readonly kind: 'raw'; readonly byteOffset: number }
  /** A deflated zip entry (rare in PyTorch checkpoints): inflated on each read. */
  | { readonly kind: 'deflated'; readonly byteOffset: number; readonly compressedBytes: number; readonly uncompressedBytes: number };

/** One tensor as found on disk: enough to read it later without parsing the file again. */
export interface TensorRecord {
  /** Name in the file (before aliases are mapped). */
  readonly name: string;
  readonly file: string;
  /** safetensors spelling: F32, F16, BF16 (readable), or another dtype (refused when read). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Element strides of a view; absent means row-major contiguous. */
  readonly strides?: readonly number[];
  readonly storage: StorageLocation;
  /** Element offset of the view's first element within its storage. */
  readonly storageOffset: number;
}

/** Product of the dimensions (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Row-major strides of `shape`, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis -= 1) strides[axis] = (strides[axis + 1] ?? 1) * (shape[axis + 1] ?? 1);
  return strides;
}

/** True when the view covers its elements in row-major order without gaps (size-1 axes ignored). */
export function isContiguous(shape: readonly number[], strides: readonly number[] | undefined): boolean {
  if (strides === undefined) return true;
  const expected = contiguousStrides(shape);
  return shape.every((size, axis) => size <= 1 || strides[axis] === expected[axis]);
}

/** Elements of storage a view spans from its first element: 1 + sum((size - 1) * stride); 0 when empty. */
export function viewSpan(shape: readonly number[], strides: readonly number[]): number {
  if (shape.some((size) => size === 0)) return 0;
  return 1 + shape.reduce((sum, size, axis) => sum + (size - 1) * (strides[axis] ?? 0), 0);
}
