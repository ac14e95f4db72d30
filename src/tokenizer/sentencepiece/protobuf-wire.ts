// The few pieces of the protobuf wire format that spiece.model needs: read fields, write them back.
// See https://protobuf.dev/programming-guides/encoding/ for the format.
import type { LlmDeployError } from '../../config/index.js';
import { tokenizerError } from '../errors.js';

/** One field of a protobuf message as it sits on the wire. */
export type WireField =
  | { readonly number: number; readonly wireType: 0; readonly value: bigint }
  | { readonly number: number; readonly wireType: 1; readonly bytes: Uint8Array }
  | { readonly number: number; readonly wireType: 2; readonly bytes: Uint8Array }
  | { readonly number: number; readonly wireType: 5; readonly bytes: Uint8Array };

/** Bytes that are not a protobuf message; the caller adds the file name. */
function wireError(detail: string): LlmDeployError {
  return tokenizerError('TOKENIZER_MODEL_INVALID', 'not a SentencePiece model (bad protobuf)', { given: detail });
}

function readVarint(bytes: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let position = start; position < bytes.length && shift < 70n; position += 1) {
    const byte = bytes[position] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: position + 1 };
    shift += 7n;
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
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (number === 0) throw wireError(`field number 0 at byte ${position}`);
    if (wireType === 0) {
      const varint = readVarint(bytes, position);
      fields.push({ number, wireType, value: varint.value });
      position = varint.next;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ number, wireType, bytes: take(bytes, position, size) });
      position += size;
    } else if (wireType === 2) {
      const length = readVarint(bytes, position);
      const content = take(bytes, length.next, Number(length.value));
      fields.push({ number, wireType, bytes: content });
      position = length.next + content.length;
    } else {
      throw wireError(`unsupported wire type ${wireType} at byte ${position}`);
    }
  }
  return fields;
}

function writeVarint(value: bigint, out: number[]): void {
  let rest = BigInt.asUintN(64, value);
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
}

/** Serialises fields back into a message (the inverse of {@link readFields}). */
export function writeFields(fields: readonly WireField[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const field of fields) {
    const head: number[] = [];
    writeVarint(BigInt((field.number << 3) | field.wireType), head);
    if (field.wireType === 0) writeVarint(field.value, head);
    if (field.wireType === 2) writeVarint(BigInt(field.bytes.length), head);
    chunks.push(Uint8Array.from(head));
    if (field.wireType !== 0) chunks.push(field.bytes);
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Reads a little-endian float32 field (wire type 5). */
export function readFloat32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(0, true);
}
