import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fasterTransformerWeights,
  ftWeightFiles,
  splitAxis,
  transpose2d,
  type FtWeight,
  type T5Config,
  type WeightStore,
} from '../../model/index.js';
import { convertError } from '../errors.js';
import type { FtWeightDtype } from './config-ini.js';
import { toHalfArray } from './half.js';

/** One step of a conversion, for progress output. */
export interface ConvertProgress {
  /** Weights written so far (including this one) and in all. */
  readonly done: number;
  readonly total: number;
  readonly stem: string;
  readonly bytesWritten: number;
}

/** Options of {@link writeFtWeights}. */
export interface WriteFtWeightsOptions {
  readonly dir: string;
  readonly tensorParallel: number;
  readonly weightDtype: FtWeightDtype;
  readonly onProgress?: (progress: ConvertProgress) => void;
}

/**
 * Writes every FT weight file, one weight at a time (only the tensors of one weight are in
 * memory at once): transposes, fuses the decoder qkv, splits across ranks, casts to the file dtype.
 */
export async function writeFtWeights(store: WeightStore, config: T5Config, options: WriteFtWeightsOptions): Promise<void> {
  const weights = fasterTransformerWeights(config);
  let bytesWritten = 0;
  for (const [index, weight] of weights.entries()) {
    const full = buildWeight(store, weight);
    const parts = weight.splitAxis === null ? [full] : splitAxis(full, weight.shape, weight.splitAxis, options.tensorParallel);
    const files = ftWeightFiles(weight, options.tensorParallel);
    for (const [rank, part] of parts.entries()) {
      const bytes = options.weightDtype === 'fp16' ? toHalfArray(part) : part;
      const file = join(options.dir, files[rank] ?? '');
      await writeWhole(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      bytesWritten += bytes.byteLength;
    }
    options.onProgress?.({ done: index + 1, total: weights.length, stem: weight.stem, bytesWritten });
  }
}

function readSource(store: WeightStore, name: string): Float32Array {
  if (!store.has(name)) {
    throw convertError('CONVERT_TENSOR_MISSING', 'the checkpoint lacks a tensor the conversion needs', {
      file: store.source,
      field: name,
    });
  }
  return store.read(name);
}

/** The whole FT tensor of one weight, float32, row-major in `weight.shape`. */
export function buildWeight(store: WeightStore, weight: FtWeight): Float32Array {
  const [first = '', ...others] = weight.sources;
  switch (weight.transform) {
    case 'identity':
      return readSource(store, first);
    case 'transpose': {
      const [columns = 1, rows = 1] = weight.shape;
      // HF `[rows, columns]` becomes FT `[columns, rows]`.
      return transpose2d(readSource(store, first), rows, columns);
    }
    case 'fused-qkv': {
      const [dModel = 1, , inner = 1] = weight.shape;
      const out = new Float32Array(dModel * 3 * inner);
      [first, ...others].forEach((name, part) => {
        const source = readSource(store, name);
        for (let row = 0; row < inner; row += 1) {
          for (let column = 0; column < dModel; column += 1)
            out[(column * 3 + part) * inner + row] = source[row * dModel + column] as number;
        }
      });
      return out;
    }
    default: {
      const never: never = weight.transform;
      return never;
    }
  }
}

async function writeWhole(file: string, bytes: Uint8Array): Promise<void> {
  try {
    const handle = await open(file, 'w');
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw convertError('CONVERT_WRITE_FAILED', 'writing a weight file failed', { file, cause });
  }
}
