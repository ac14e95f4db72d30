/** Element types of weights on disk, spelled as safetensors spells them. */
export type FloatDtype = 'F32' | 'F16' | 'BF16';

const BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  U16: 2,
  U32: 4,
  U64: 8,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** Bytes per element of a safetensors dtype, or undefined when the dtype is unknown. */
export function dtypeBytes(dtype: string): number | undefined {
  return BYTES[dtype];
}

/** True for the dtypes {@link WeightStore.read} converts to float32. */
export function isFloatDtype(dtype: string): dtype is FloatDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

let halfTable: Float32Array | undefined;

// All 65536 IEEE half values as float32: one table lookup per element beats bit twiddling in JS.
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits += 1) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * fraction * 2 ** -24;
    else if (exponent === 31) table[bits] = fraction === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

/**
 * Converts `count` little-endian elements of `dtype` from `source` (bytes) into `target` at `targetIndex`.
 * `source` may start at any byte offset.
 */
export function convertToFloat32(source: Uint8Array, dtype: FloatDtype, target: Float32Array, targetIndex: number): void {
  const bytes = dtype === 'F32' ? 4 : 2;
  const count = Math.floor(source.byteLength / bytes);
  if (dtype === 'F32') {
    new Uint8Array(target.buffer, target.byteOffset + targetIndex * 4, count * 4).set(source.subarray(0, count * 4));
    return;
  }
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(target.buffer, target.byteOffset + targetIndex * 4, count);
    for (let index = 0; index < count; index += 1) bits[index] = view.getUint16(index * 2, true) << 16;
    return;
  }
  const table = halfToFloatTable();
  for (let index = 0; index < count; index += 1) target[targetIndex + index] = table[view.getUint16(index * 2, true)] ?? NaN;
}

const scratch = new DataView(new ArrayBuffer(4));

/** float32 -> IEEE half bits, rounding to nearest even (overflow -> infinity). */
export function floatToHalfBits(value: number): number {
  scratch.setFloat32(0, value, true);
  const bits = scratch.getUint32(0, true);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const rounded = roundShift(full, shift);
    return sign | rounded;
  }
  const rounded = roundShift((halfExponent << 23) | mantissa, 13);
  return sign | Math.min(rounded, 0x7c00);
}

/** float32 -> bfloat16 bits, rounding to nearest even. */
export function floatToBfloat16Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  const bits = scratch.getUint32(0, true);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  return roundShift(bits, 16) & 0xffff;
}

// Shift right by `shift` bits, rounding half to even; a carry into the exponent is intended.
function roundShift(value: number, shift: number): number {
  const kept = Math.floor(value / 2 ** shift);
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
}
