import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { fileMissing, modelError, renderValue, weightsInvalid } from './errors.js';
import { readJsonFile } from './json-file.js';
import { readSafetensorsFile } from './safetensors-file.js';
import type { TensorRecord } from './tensor-record.js';
import { readTorchBinFile } from './torch-bin-file.js';
import { entryExists } from './model-file.js';

/** The weight files of a checkpoint directory and how they are stored. */
export interface WeightFiles {
  readonly format: 'safetensors' | 'torch-bin';
  /** Single file, or the index file of a sharded checkpoint (for messages). */
  readonly source: string;
  /** Shard file -> tensor names the index assigns to it (a single file: all of its tensors). */
  readonly shards: ReadonlyMap<string, readonly string[] | 'all'>;
}

const CANDIDATES = [
  { name: 'model.safetensors', format: 'safetensors', sharded: false },
  { name: 'model.safetensors.index.json', format: 'safetensors', sharded: true },
  { name: 'pytorch_model.bin', format: 'torch-bin', sharded: false },
  { name: 'pytorch_model.bin.index.json', format: 'torch-bin', sharded: true },
] as const;

const indexSchema = z.object({ weight_map: z.record(z.string(), z.string()) }).loose();

/** Picks the weight files of `dir`: model.safetensors, its sharded index, pytorch_model.bin, its sharded index. */
export async function findWeightFiles(dir: string): Promise<WeightFiles> {
  for (const candidate of CANDIDATES) {
    const file = join(dir, candidate.name);
    if (!(await entryExists(file))) continue;
    if (!candidate.sharded) return { format: candidate.format, source: file, shards: new Map([[file, 'all']]) };
    return { format: candidate.format, source: file, shards: await readShardIndex(dir, file) };
  }
  throw fileMissing(dir, `one of ${CANDIDATES.map((candidate) => candidate.name).join(', ')}`);
}

/** Parses every weight file and returns the tensors by their name in the files. */
export async function loadTensorRecords(weightFiles: WeightFiles): Promise<Map<string, TensorRecord>> {
  const records = new Map<string, TensorRecord>();
  for (const [file, names] of weightFiles.shards) {
    const found = weightFiles.format === 'safetensors' ? readSafetensorsFile(file).tensors : await readTorchBinFile(file);
    const byName = new Map(found.map((record) => [record.name, record]));
    const wanted = names === 'all' ? [...byName.keys()] : names;
    for (const name of wanted) {
      const record = byName.get(name);
      if (record === undefined) {
        throw modelError('MODEL_TENSOR_MISSING', 'shard lacks a tensor its index assigns to it', {
          file,
          field: name,
          expected: `listed in ${weightFiles.source}`,
        });
      }
      records.set(name, record);
    }
  }
  return records;
}

async function readShardIndex(dir: string, indexFile: string): Promise<Map<string, string[]>> {
  const json = await readJsonFile(indexFile, { expected: 'a sharded checkpoint index' });
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) {
    throw weightsInvalid(indexFile, 'sharded checkpoint index is invalid', {
      field: 'weight_map',
      expected: 'an object mapping tensor names to shard file names',
    });
  }
  const shards = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(parsed.data.weight_map)) {
    const relative = normalize(shard);
    if (isAbsolute(relative) || relative === '..' || relative.startsWith(`..${sep}`)) {
      throw weightsInvalid(indexFile, 'shard path leaves the model directory', {
        field: name,
        given: renderValue(shard),
        expected: 'a file inside the model directory',
      });
    }
    const file = join(dir, relative);
    shards.set(file, [...(shards.get(file) ?? []), name]);
  }
  for (const file of shards.keys()) if (!(await entryExists(file))) throw fileMissing(file, `a shard listed in ${indexFile}`);
  return shards;
}
