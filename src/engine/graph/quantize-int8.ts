/**
 * Symmetric blockwise 8-bit quantisation in onnxruntime's MatMulNBits layout: for each output
 * feature n and block b of `blockSize` input features, bytes `q = round(w / scale) + 128` and one
 * float scale `max|w| / 127` (the operator's default zero point for 8 bits is 128).
 */

/** Quantised weights: `blocks` `[rows, blocksPerRow, blockBytes]` uint8, `scales` `[rows * blocksPerRow]` float32. */
export interface QuantizedBlocks {
  readonly blocks: Uint8Array;
  readonly scales: Float32Array;
  readonly blocksPerRow: number;
  readonly blockBytes: number;
}

const ZERO_POINT = 128;

/** Quantises a row-major `[rows, columns]` matrix (rows = output features) block by block along columns. */
export function quantizeBlocks8(weights: Float32Array, rows: number, columns: number, blockSize: number): QuantizedBlocks {
  const blocksPerRow = Math.ceil(columns / blockSize);
  const blocks = new Uint8Array(rows * blocksPerRow * blockSize).fill(ZERO_POINT);
  const scales = new Float32Array(rows * blocksPerRow);
  for (let row = 0; row < rows; row++) {
    for (let block = 0; block < blocksPerRow; block++) {
      const start = row * columns + block * blockSize;
      const end = row * columns + Math.min(columns, (block + 1) * blockSize);
      let maxAbs = 0;
      for (let index = start; index < end; index++) maxAbs = Math.max(maxAbs, Math.abs(weights[index] as number));
      const scale = maxAbs === 0 ? 1 : maxAbs / 127;
      const scaleIndex = row * blocksPerRow + block;
      scales[scaleIndex] = scale;
      const target = scaleIndex * blockSize;
      for (let index = start; index < end; index++) {
        const quantized = Math.round((weights[index] as number) / scale);
        blocks[target + index - start] = Math.max(-127, Math.min(127, quantized)) + ZERO_POINT;
      }
    }
  }
  return { blocks, scales, blocksPerRow, blockBytes: blockSize };
}

/** Per-output-feature symmetric int8: `weights` `[in, out]` int8 (MatMul layout) and `scales` `[out]` float32. */
export interface QuantizedColumns {
  readonly weights: Int8Array;
  readonly scales: Float32Array;
}

/** Quantises a row-major HF weight `[rows = out, columns = in]` to int8 `[in, out]` with one scale per output feature. */
export function quantizeColumns8(weights: Float32Array, rows: number, columns: number): QuantizedColumns {
  const quantized = new Int8Array(rows * columns);
  const scales = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let maxAbs = 0;
    const base = row * columns;
    for (let column = 0; column < columns; column++) maxAbs = Math.max(maxAbs, Math.abs(weights[base + column] as number));
    const scale = maxAbs === 0 ? 1 : maxAbs / 127;
    scales[row] = scale;
    for (let column = 0; column < columns; column++)
      quantized[column * rows + row] = Math.round((weights[base + column] as number) / scale);
  }
  return { weights: quantized, scales };
}
