/**
 * Marian's position table (transformers v4.36 MarianSinusoidalPositionalEmbedding._init_weight), which
 * no weight file holds: row p = [sin(p w_0) .. sin(p w_{s-1}), cos(p w_0) ..], the sin half first (not
 * interleaved), w_i = 1 / 10000^(2i / dim), computed in float64 and stored as float32.
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/marian/modeling_marian.py
 */

/** `[rows, dim]` float32, row-major: position p's row at `p * dim`. */
export function sinusoidalPositions(rows: number, dim: number): Float32Array {
  const table = new Float32Array(rows * dim);
  // HF: column j's angle is pos / 10000^(2 (j // 2) / dim); even columns give the sines, odd ones the cosines.
  const sines = Math.ceil(dim / 2);
  const cosines = dim - sines;
  const frequencies = Array.from({ length: sines }, (_, index) => 1 / 10000 ** ((2 * index) / dim));
  for (let position = 0; position < rows; position++) {
    const row = position * dim;
    for (let index = 0; index < sines; index++) table[row + index] = Math.sin(position * (frequencies[index] as number));
    for (let index = 0; index < cosines; index++) table[row + sines + index] = Math.cos(position * (frequencies[index] as number));
  }
  return table;
}
