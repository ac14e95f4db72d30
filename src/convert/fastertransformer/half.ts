import { floatToHalfBits } from '../../model/index.js';

/** float32 -> IEEE fp16 bit pattern, round to nearest even (as numpy's astype(float16)); implemented once, in src/model. */
export const toHalfBits = floatToHalfBits;

/** Converts a float32 tensor to fp16 bit patterns `[same shape] uint16`. */
export function toHalfArray(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let index = 0; index < data.length; index += 1) out[index] = toHalfBits(data[index] as number);
  return out;
}
