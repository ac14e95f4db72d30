// Test-only builders for PyTorch zip checkpoints: the pickle opcodes torch.save writes, and a stored/deflated zip.
import { writeFileSync } from 'node:fs';
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** Pickle bytes built opcode by opcode. */
export class PickleWriter {
  readonly #parts: Buffer[] = [];

  raw(...bytes: number[]): this {
    this.#parts.push(Buffer.from(bytes));
    return this;
  }

  text(value: string): this {
    const body = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.byteLength);
    this.#parts.push(Buffer.from([0x58]), length, body); // BINUNICODE
    return this;
  }

  int(value: number): this {
    const body = Buffer.alloc(4);
    body.writeInt32LE(value);
    this.#parts.push(Buffer.from([0x4a]), body); // BININT
    return this;
  }

  global(module: string, name: string): this {
    this.#parts.push(Buffer.from(`c${module}\n${name}\n`, 'latin1'));
    return this;
  }

  mark(): this { return this.raw(0x28); }
  tuple(): this { return this.raw(0x74); }

  intTuple(values: readonly number[]): this {
    this.mark();
    for (const value of values) this.int(value);
    return this.tuple();
  }

  bytes(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

/** A tensor entry of a state dict pickle: a view over storage `key`. */
export interface PickledTensor {
  readonly name: string;
  readonly storageClass?: string;
  readonly key: string;
  readonly storageElements: number;
  readonly storageOffset?: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** Pickles a state dict the way torch.save does (protocol 2, `_rebuild_tensor_v2`, persistent ids). */
export function stateDictPickle(tensors: readonly PickledTensor[]): Buffer {
  const writer = new PickleWriter().raw(0x80, 2).raw(0x7d).mark(); // PROTO 2, EMPTY_DICT, MARK
  for (const tensor of tensors) {
    writer.text(tensor.name).global('torch._utils', '_rebuild_tensor_v2').mark();
    writer.mark().text('storage').global('torch', tensor.storageClass ?? 'FloatStorage').text(tensor.key).text('cpu').int(tensor.storageElements).tuple();
    writer.raw(0x51); // BINPERSID
    writer.int(tensor.storageOffset ?? 0).intTuple(tensor.shape).intTuple(tensor.strides).raw(0x89); // NEWFALSE
    writer.global('collections', 'OrderedDict').raw(0x29, 0x52); // EMPTY_TUPLE, REDUCE
    writer.tuple().raw(0x52); // args tuple, REDUCE
  }
  return writer.raw(0x75, 0x2e).bytes(); // SETITEMS, STOP
}

/** One zip member. */
export interface ZipMember {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate?: boolean;
  /** Already deflated bytes and the size they claim to inflate to (zip bombs without building the bomb's output). */
  readonly deflated?: { readonly bytes: Uint8Array; readonly size: number };
}

/** Writes a zip archive with the given members; `zip64` writes every size and offset in zip64 records, as big checkpoints need. */
export function writeZip(path: string, members: readonly ZipMember[], options: { zip64?: boolean } = {}): void {
  const zip64 = options.zip64 === true;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const deflate = member.deflate === true || member.deflated !== undefined;
    const stored = member.deflated !== undefined ? Buffer.from(member.deflated.bytes) : deflate ? deflateRawSync(member.data) : Buffer.from(member.data);
    const size = member.deflated?.size ?? member.data.byteLength;
    const fields = { method: deflate ? 8 : 0, crc: crc32(member.data), compressed: stored.byteLength, size };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(fields.method, 8);
    local.writeUInt32LE(fields.crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : fields.compressed, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : fields.size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const localExtra = zip64 ? zip64Extra([fields.size, fields.compressed]) : Buffer.alloc(0);
    local.writeUInt16LE(localExtra.byteLength, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(zip64 ? 45 : 20, 4);
    central.writeUInt16LE(zip64 ? 45 : 20, 6);
    central.writeUInt16LE(fields.method, 10);
    central.writeUInt32LE(fields.crc, 16);
    central.writeUInt32LE(zip64 ? 0xffffffff : fields.compressed, 20);
    central.writeUInt32LE(zip64 ? 0xffffffff : fields.size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    const centralExtra = zip64 ? zip64Extra([fields.size, fields.compressed, offset]) : Buffer.alloc(0);
    central.writeUInt16LE(centralExtra.byteLength, 30);
    central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    locals.push(local, name, localExtra, stored);
    centrals.push(central, name, centralExtra);
    offset += 30 + name.byteLength + localExtra.byteLength + stored.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.byteLength, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  const tail = zip64 ? zip64End(members.length, directory.byteLength, offset) : Buffer.alloc(0);
  writeFileSync(path, Buffer.concat([...locals, directory, tail, end]));
}

function zip64Extra(values: readonly number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(1, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, index) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * index));
  return extra;
}

// Zip64 end of central directory record (56 bytes) followed by its locator (20 bytes).
function zip64End(entries: number, directoryBytes: number, directoryOffset: number): Buffer {
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries), 24);
  record.writeBigUInt64LE(BigInt(entries), 32);
  record.writeBigUInt64LE(BigInt(directoryBytes), 40);
  record.writeBigUInt64LE(BigInt(directoryOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(directoryOffset + directoryBytes), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator]);
}

/** Writes a torch.save-style checkpoint: `<root>/data.pkl` plus `<root>/data/<key>` storages. */
export function writeTorchCheckpoint(path: string, pickle: Uint8Array, storages: ReadonlyMap<string, Uint8Array>, options: { deflate?: boolean; zip64?: boolean } = {}): void {
  const root = 'archive';
  writeZip(path, [
    { name: `${root}/data.pkl`, data: pickle },
    { name: `${root}/byteorder`, data: Buffer.from('little') },
    ...[...storages].map(([key, data]) => ({ name: `${root}/data/${key}`, data, deflate: options.deflate === true })),
  ], { zip64: options.zip64 === true });
}

/** Bytes of a float32 array. */
export function float32Bytes(values: readonly number[] | Float32Array): Uint8Array {
  const array = values instanceof Float32Array ? values : Float32Array.from(values);
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Raw deflate bytes that inflate to `mebibytes` MiB of zeros (about 1 KB per MiB): the payload of a zip bomb. */
export function deflatedZeros(mebibytes: number): Buffer {
  const chunk = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: mebibytes }, () => chunk), Buffer.from([0x03, 0x00])]);
}
