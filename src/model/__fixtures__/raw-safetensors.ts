// Test-only: writes safetensors files byte by byte, so tests can corrupt any part of them.
import { writeFileSync } from 'node:fs';

/** Writes `u64 LE length`, the header (object -> JSON, string as-is), then `data`; `declaredBytes` overrides the length. */
export function writeRawSafetensors(path: string, header: unknown, data: Uint8Array, declaredBytes?: number): void {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(declaredBytes ?? json.byteLength));
  writeFileSync(path, Buffer.concat([prefix, json, data]));
}
