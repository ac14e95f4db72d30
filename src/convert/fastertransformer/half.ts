const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** float32 -> IEEE fp16 bit pattern, round to nearest even (as numpy's astype(float16)). */
export function toHalfBits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const rounded = roundShift(mantissa, shift);
    return sign | rounded;
  }
  const rounded = roundShift(mantissa, 13);
  // A carry out of the mantissa bumps the exponent, which is the right result (up to infinity).
  return sign | ((halfExponent << 10) + rounded);
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Converts a float32 tensor to fp16 bit patterns `[same shape] uint16`. */
export function toHalfArray(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let index = 0; index < data.length; index += 1) out[index] = toHalfBits(data[index] as number);
  return out;
}
