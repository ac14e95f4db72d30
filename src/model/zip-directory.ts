import { fstatSync, readSync } from 'node:fs';
import { weightsInvalid } from './errors.js';

/** One member of a zip archive, located in the file. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflated. */
  readonly method: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  /** Absolute offset of the member's (possibly compressed) bytes. */
  readonly dataOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const NOT_ZIP = 'PyTorch zip checkpoint (torch.save since PyTorch 1.6)';

/**
 * Reads a zip archive's central directory (zip64 included) and each member's local header,
 * so members can be read in place. Members that would run past the end of the file are refused.
 */
export function readZipDirectory(descriptor: number, file: string): ZipEntry[] {
  const fileBytes = fstatSync(descriptor).size;
  const end = findEndRecord(descriptor, file, fileBytes);
  const directory = readAt(descriptor, end.directoryOffset, end.directoryBytes, file);
  const entries: ZipEntry[] = [];
  let cursor = 0;
  for (let index = 0; index < end.entryCount; index += 1) {
    if (cursor + 46 > directory.byteLength || directory.readUInt32LE(cursor) !== CENTRAL) {
      throw weightsInvalid(file, 'zip central directory is corrupt', { given: `entry ${index}`, expected: NOT_ZIP });
    }
    const nameBytes = directory.readUInt16LE(cursor + 28);
    const extraBytes = directory.readUInt16LE(cursor + 30);
    const commentBytes = directory.readUInt16LE(cursor + 32);
    const name = directory.toString('utf8', cursor + 46, cursor + 46 + nameBytes);
    const sizes = zip64Sizes(directory.subarray(cursor + 46 + nameBytes, cursor + 46 + nameBytes + extraBytes), {
      uncompressed: directory.readUInt32LE(cursor + 24),
      compressed: directory.readUInt32LE(cursor + 20),
      offset: directory.readUInt32LE(cursor + 42),
    });
    const dataOffset = localDataOffset(descriptor, file, sizes.offset, name);
    if (dataOffset + sizes.compressed > fileBytes) {
      throw weightsInvalid(file, 'zip member runs past the end of the file (truncated?)', {
        field: name,
        given: `${fileBytes} bytes`,
        expected: `at least ${dataOffset + sizes.compressed}`,
      });
    }
    entries.push({
      name,
      method: directory.readUInt16LE(cursor + 10),
      compressedBytes: sizes.compressed,
      uncompressedBytes: sizes.uncompressed,
      dataOffset,
    });
    cursor += 46 + nameBytes + extraBytes + commentBytes;
  }
  return entries;
}

/** Reads `length` bytes at `position`; a short read means the file is truncated. */
export function readAt(descriptor: number, position: number, length: number, file: string): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = readSync(descriptor, buffer, done, length - done, position + done);
    if (got === 0)
      throw weightsInvalid(file, 'file ends early (truncated?)', {
        given: `${position + done} bytes`,
        expected: `at least ${position + length}`,
      });
    done += got;
  }
  return buffer;
}

interface EndRecord {
  readonly entryCount: number;
  readonly directoryBytes: number;
  readonly directoryOffset: number;
}

function findEndRecord(descriptor: number, file: string, fileBytes: number): EndRecord {
  const tailBytes = Math.min(fileBytes, 22 + 65535);
  const tail = fileBytes < 22 ? Buffer.alloc(0) : readAt(descriptor, fileBytes - tailBytes, tailBytes, file);
  let at = -1;
  for (let position = tail.byteLength - 22; position >= 0; position -= 1) {
    if (tail.readUInt32LE(position) === EOCD) {
      at = position;
      break;
    }
  }
  if (at < 0)
    throw weightsInvalid(file, 'not a zip archive (no end of central directory; truncated, or an old-style torch.save file?)', {
      expected: NOT_ZIP,
    });
  const record = {
    entryCount: tail.readUInt16LE(at + 10),
    directoryBytes: tail.readUInt32LE(at + 12),
    directoryOffset: tail.readUInt32LE(at + 16),
  };
  const absolute = fileBytes - tailBytes + at;
  const needs64 = record.entryCount === 0xffff || record.directoryBytes === 0xffffffff || record.directoryOffset === 0xffffffff;
  if (needs64 && absolute >= 20) {
    const locator = readAt(descriptor, absolute - 20, 20, file);
    if (locator.readUInt32LE(0) === EOCD64_LOCATOR) {
      const end64 = readAt(descriptor, Number(locator.readBigUInt64LE(8)), 56, file);
      if (end64.readUInt32LE(0) !== EOCD64) throw weightsInvalid(file, 'zip64 end record is corrupt', { expected: NOT_ZIP });
      return checkInside(
        {
          entryCount: Number(end64.readBigUInt64LE(32)),
          directoryBytes: Number(end64.readBigUInt64LE(40)),
          directoryOffset: Number(end64.readBigUInt64LE(48)),
        },
        file,
        fileBytes,
      );
    }
  }
  return checkInside(record, file, fileBytes);
}

function checkInside(record: EndRecord, file: string, fileBytes: number): EndRecord {
  // Each central directory entry takes at least 46 bytes, which also bounds a corrupt entry count.
  if (record.directoryOffset + record.directoryBytes > fileBytes || record.entryCount * 46 > record.directoryBytes) {
    throw weightsInvalid(file, 'zip central directory lies outside the file', { expected: NOT_ZIP });
  }
  return record;
}

// Zip64 extra field (id 1) holds, in order, whichever of the three 32-bit fields are saturated.
function zip64Sizes(extra: Buffer, sizes: { uncompressed: number; compressed: number; offset: number }): typeof sizes {
  const result = { ...sizes };
  let cursor = 0;
  while (cursor + 4 <= extra.byteLength) {
    const id = extra.readUInt16LE(cursor);
    const length = extra.readUInt16LE(cursor + 2);
    if (id === 1) {
      let field = cursor + 4;
      for (const key of ['uncompressed', 'compressed', 'offset'] as const) {
        if (result[key] === 0xffffffff && field + 8 <= cursor + 4 + length) {
          result[key] = Number(extra.readBigUInt64LE(field));
          field += 8;
        }
      }
    }
    cursor += 4 + length;
  }
  return result;
}

function localDataOffset(descriptor: number, file: string, headerOffset: number, name: string): number {
  const header = headerOffset + 30 <= fstatSync(descriptor).size ? readAt(descriptor, headerOffset, 30, file) : Buffer.alloc(30);
  if (header.readUInt32LE(0) !== LOCAL) throw weightsInvalid(file, 'zip local header is corrupt', { field: name, expected: NOT_ZIP });
  return headerOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}
