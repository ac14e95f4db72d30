// The few pieces of the protobuf wire format that spiece.model needs: read fields, write them back.
// See https://protobuf.dev/programming-guides/encoding/ for the format.
import type { LlmDeployError } from '../../config/index.js';
import { tokenizerError } from '../errors.js';

/** One field of a protobuf message as it sits on the wire. */
export type WireField =
  /** `value` is exact up to 2^53 (all we read); `bytes` keeps the varint as written, for writing it back. */
  | { readonly number: number; readonly wireType: 0; readonly value: number; readonly bytes: Uint8Array }
  | { readonly number: number; readonly wireType: 1; readonly bytes: Uint8Array }
  | { readonly number: number; readonly wireType: 2; readonly bytes: Uint8Array }
  | { readonly number: number; readonly wireType: 5; readonly bytes: Uint8Array };

/** Bytes that are not a protobuf message; the caller adds the file name. */
function wireError(detail: string): LlmDeployError {
  return tokenizerError('TOKENIZER_MODEL_INVALID', 'not a SentencePiece model (bad protobuf)', { given: detail });
}

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let position = start; position < bytes.length && position - start < 10; position += 1) {
    const byte = bytes[position] ?? 0;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: position + 1 };
    scale *= 128;
  }
  throw wireError(`truncated varint at byte ${start}`);
}

function take(bytes: Uint8Array, start: number, length: number): Uint8Array {
  if (length < 0 || start + length > bytes.length) {
    throw wireError(`field at byte ${start} runs past the end (${length} bytes)`);
  }
  return bytes.subarray(start, start + length);
}

/** Splits a message into its fields, in wire order (repeated fields appear several times). */
export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let position = 0;
  while (position < bytes.length) {
    const tag = readVarint(bytes, position);
    position = tag.next;
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (number === 0) throw wireError(`field number 0 at byte ${position}`);
    if (wireType === 0) {
      const varint = readVarint(bytes, position);
      fields.push({ number, wireType, value: varint.value, bytes: bytes.subarray(position, varint.next) });
      position = varint.next;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ number, wireType, bytes: take(bytes, position, size) });
      position += size;
    } else if (wireType === 2) {
      const length = readVarint(bytes, position);
      const content = take(bytes, length.next, length.value);
      fields.push({ number, wireType, bytes: content });
      position = length.next + content.length;
    } else {
      throw wireError(`unsupported wire type ${wireType} at byte ${position}`);
    }
  }
  return fields;
}

/** Varint of a non-negative integer below 2^53. */
export function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** Serialises fields back into a message (the inverse of {@link readFields}). */
export function writeFields(fields: readonly WireField[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const field of fields) {
    chunks.push(encodeVarint(field.number * 8 + field.wireType));
    if (field.wireType === 2) chunks.push(encodeVarint(field.bytes.length));
    chunks.push(field.bytes);
  }
  const joined = Buffer.concat(chunks);
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.length);
}

/** Reads a little-endian float32 field (wire type 5). */
export function readFloat32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(0, true);
}
