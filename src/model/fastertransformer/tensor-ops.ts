/** `[rows, columns]` row-major -> `[columns, rows]` row-major. */
export function transpose2d(data: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let row = 0; row < rows; row += 1) {
    const base = row * columns;
    for (let column = 0; column < columns; column += 1) out[column * rows + row] = data[base + column] as number;
  }
  return out;
}

/** Splits a row-major tensor into `parts` equal slices along `axis`. */
export function splitAxis(data: Float32Array, shape: readonly number[], axis: number, parts: number): Float32Array[] {
  const { outer, size, inner } = axisSpans(shape, axis);
  const part = size / parts;
  return Array.from({ length: parts }, (_, index) => {
    const out = new Float32Array(outer * part * inner);
    for (let o = 0; o < outer; o += 1) {
      const from = (o * size + index * part) * inner;
      out.set(data.subarray(from, from + part * inner), o * part * inner);
    }
    return out;
  });
}

/** Joins equal slices along `axis`; the inverse of {@link splitAxis}. `shape` is the joined shape. */
export function concatAxis(slices: readonly Float32Array[], shape: readonly number[], axis: number): Float32Array {
  const { outer, size, inner } = axisSpans(shape, axis);
  const part = size / slices.length;
  const out = new Float32Array(outer * size * inner);
  slices.forEach((slice, index) => {
    for (let o = 0; o < outer; o += 1) {
      const to = (o * size + index * part) * inner;
      out.set(slice.subarray(o * part * inner, (o + 1) * part * inner), to);
    }
  });
  return out;
}

function axisSpans(shape: readonly number[], axis: number): { outer: number; size: number; inner: number } {
  const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);
  return { outer: product(shape.slice(0, axis)), size: shape[axis] ?? 1, inner: product(shape.slice(axis + 1)) };
}
