import { closeSync, readSync } from 'node:fs';
import { z } from 'zod';
import { dtypeBytes } from './dtype.js';
import { renderShape, renderValue, weightsInvalid } from './errors.js';
import { jsonDepthOverflow, MAX_JSON_DEPTH } from './json-depth.js';
import { openModelFileSync } from './model-file.js';
import { elementCount } from './tensor-record.js';
import type { TensorRecord } from './tensor-record.js';

// The reference implementation refuses headers above 100 MB; so do we.
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const entrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
const metadataSchema = z.record(z.string(), z.string());

/** A parsed safetensors file: its tensors (absolute offsets) and `__metadata__`. */
export interface SafetensorsFile {
  readonly file: string;
  readonly tensors: readonly TensorRecord[];
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Reads and checks the header of a safetensors file: `u64 LE n`, `n` bytes of JSON, then data.
 * Every tensor's byte range must match its dtype and shape, lie inside the file and not overlap another.
 */
export function readSafetensorsFile(file: string): SafetensorsFile {
  const { descriptor, bytes: fileBytes } = openModelFileSync(file, 'a safetensors weight file');
  try {
    const header = readHeaderJson(descriptor, file, fileBytes);
    const dataStart = 8 + header.bytes;
    return { file, ...parseEntries(header.json, { file, dataStart, dataBytes: fileBytes - dataStart }) };
  } finally {
    closeSync(descriptor);
  }
}

function readHeaderJson(descriptor: number, file: string, fileBytes: number): { json: unknown; bytes: number } {
  if (fileBytes < 8)
    throw weightsInvalid(file, 'file is too short to be safetensors', { given: `${fileBytes} bytes`, expected: 'at least 8' });
  const prefix = Buffer.alloc(8);
  readSync(descriptor, prefix, 0, 8, 0);
  const declared = prefix.readBigUInt64LE(0);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, fileBytes - 8))) {
    throw weightsInvalid(file, 'safetensors header length overruns the file', {
      given: `${declared} bytes`,
      expected: `at most ${Math.min(MAX_HEADER_BYTES, fileBytes - 8)}`,
    });
  }
  const bytes = Number(declared);
  const text = Buffer.alloc(bytes);
  readSync(descriptor, text, 0, bytes, 8);
  const deepAt = jsonDepthOverflow(text.toString('utf8'));
  if (deepAt !== undefined) {
    throw weightsInvalid(file, 'safetensors header JSON is nested too deeply', {
      given: `more than ${MAX_JSON_DEPTH} levels at character ${deepAt}`,
      expected: 'a flat map of tensor name -> {dtype, shape, data_offsets}',
    });
  }
  try {
    return { json: JSON.parse(text.toString('utf8')) as unknown, bytes };
  } catch (error) {
    throw weightsInvalid(file, 'safetensors header is not valid JSON', { given: renderValue(text.toString('utf8', 0, 60)), cause: error });
  }
}

interface DataArea {
  readonly file: string;
  readonly dataStart: number;
  readonly dataBytes: number;
}

function parseEntries(json: unknown, area: DataArea): Omit<SafetensorsFile, 'file'> {
  const { file } = area;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw weightsInvalid(file, 'safetensors header must be a JSON object', { given: renderValue(json) });
  }
  let metadata: Record<string, string> = {};
  const tensors: TensorRecord[] = [];
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      const parsed = metadataSchema.safeParse(value);
      if (!parsed.success)
        throw weightsInvalid(file, 'safetensors __metadata__ must map strings to strings', { field: name, given: renderValue(value) });
      metadata = parsed.data;
      continue;
    }
    const entry = entrySchema.safeParse(value);
    if (!entry.success) {
      throw weightsInvalid(file, 'bad safetensors header entry', {
        field: name,
        given: renderValue(value),
        expected: '{dtype, shape, data_offsets: [begin, end]}',
      });
    }
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry.data;
    checkEntry({ name, dtype, shape, begin, end }, area);
    ranges.push({ name, begin, end });
    tensors.push({ name, file, dtype, shape, storage: { kind: 'raw', byteOffset: area.dataStart + begin }, storageOffset: 0 });
  }
  checkOverlaps(ranges, file);
  return { tensors, metadata };
}

function checkEntry(entry: { name: string; dtype: string; shape: number[]; begin: number; end: number }, area: DataArea): void {
  const bytes = dtypeBytes(entry.dtype);
  if (bytes === undefined) throw weightsInvalid(area.file, 'unknown safetensors dtype', { field: entry.name, given: entry.dtype });
  const expectedBytes = elementCount(entry.shape) * bytes;
  if (entry.end < entry.begin || entry.end - entry.begin !== expectedBytes) {
    throw weightsInvalid(area.file, 'tensor data_offsets do not match its dtype and shape', {
      field: entry.name,
      given: `[${entry.begin}, ${entry.end}] (${entry.end - entry.begin} bytes)`,
      expected: `${expectedBytes} bytes for ${entry.dtype} ${renderShape(entry.shape)}`,
    });
  }
  if (entry.end > area.dataBytes) {
    throw weightsInvalid(area.file, 'tensor data overruns the file (truncated?)', {
      field: entry.name,
      given: `data ends at byte ${area.dataStart + entry.end}`,
      expected: `at most ${area.dataStart + area.dataBytes} (the file size)`,
    });
  }
}

function checkOverlaps(ranges: { name: string; begin: number; end: number }[], file: string): void {
  const sorted = ranges.filter((range) => range.end > range.begin).sort((a, b) => a.begin - b.begin);
  for (let index = 1; index < sorted.length; index += 1) {
    const previous = sorted[index - 1];
    const current = sorted[index];
    if (previous !== undefined && current !== undefined && current.begin < previous.end) {
      throw weightsInvalid(file, 'tensor data overlaps another tensor', {
        field: current.name,
        given: `[${current.begin}, ${current.end}] overlaps ${previous.name} [${previous.begin}, ${previous.end}]`,
        expected: 'disjoint byte ranges',
      });
    }
  }
}
