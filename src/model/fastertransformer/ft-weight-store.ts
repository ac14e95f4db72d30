import { closeSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { LlmDeployError } from '../../config/index.js';
import { convertToFloat32 } from '../dtype.js';
import { checkConfigAgainstWeights } from '../config-vs-weights.js';
import { renderShape } from '../errors.js';
import { openModelFileSync } from '../model-file.js';
import { expectedT5Tensors } from '../expected-tensors.js';
import type { T5Config } from '../t5-config.js';
import type { WeightStore } from '../weight-store.js';
import { fasterTransformerWeights, ftRankShape, ftWeightFiles, type FtWeight } from './ft-tensors.js';
import { concatAxis, transpose2d } from './tensor-ops.js';

/** What the FT weight store needs to know about the files. */
export interface FtLayoutInfo {
  /** Ranks the weights were split into (the `N` of `N-gpu`). */
  readonly tensorParallel: number;
  /** `weight_data_type` of config.ini. */
  readonly weightDtype: 'fp32' | 'fp16';
}

interface Located {
  readonly weight: FtWeight;
  /** Which of `weight.sources` the canonical name is. */
  readonly part: number;
}

/**
 * Reads a FasterTransformer T5 folder (`.../1/N-gpu`) back as a {@link WeightStore} with canonical
 * Hugging Face names and shapes: ranks joined, transposes undone, the fused decoder qkv split, fp16 widened.
 */
export function openFasterTransformerWeights(modelDir: string, config: T5Config, layout: FtLayoutInfo): WeightStore {
  // File names are enough to count the blocks present before the expected tensors are listed from config.json.
  const files = new Map<string, readonly number[]>(readdirSync(modelDir).map((name) => [name, []]));
  checkConfigAgainstWeights(config, { shapes: files, source: modelDir, configFile: join(modelDir, 'config.json') });
  const expected = expectedT5Tensors(config);
  const located = new Map<string, Located>();
  for (const weight of fasterTransformerWeights(config)) {
    // shared.weight comes from shared.weight_T.bin, which keeps HF's `[vocab, d_model]` orientation.
    if (weight.stem === 'shared.weight') continue;
    weight.sources.forEach((name, part) => located.set(name, { weight, part }));
  }
  const names = Object.freeze([...expected.keys()]);
  const lookup = (name: string): Located => {
    const found = located.get(name);
    if (found === undefined || !expected.has(name)) {
      throw new LlmDeployError('no such tensor in the FasterTransformer layout', {
        code: 'MODEL_TENSOR_MISSING',
        file: modelDir,
        field: name,
      });
    }
    return found;
  };
  return {
    source: modelDir,
    names: () => names,
    has: (name) => expected.has(name),
    shape: (name) => {
      lookup(name);
      return expected.get(name) ?? [];
    },
    read: (name) => {
      const { weight, part } = lookup(name);
      return fromFt(readWhole(modelDir, weight, layout), weight, part);
    },
    close: () => undefined,
  };
}

function readWhole(modelDir: string, weight: FtWeight, layout: FtLayoutInfo): Float32Array {
  const rankShape = ftRankShape(weight, layout.tensorParallel);
  const elements = rankShape.reduce((a, b) => a * b, 1);
  const parts = ftWeightFiles(weight, layout.tensorParallel).map((file) =>
    readFloats(join(modelDir, file), elements, layout.weightDtype, rankShape),
  );
  if (weight.splitAxis === null) return parts[0] ?? new Float32Array(0);
  return concatAxis(parts, weight.shape, weight.splitAxis);
}

function readFloats(file: string, elements: number, dtype: 'fp32' | 'fp16', shape: readonly number[]): Float32Array {
  const width = dtype === 'fp16' ? 2 : 4;
  const { descriptor, bytes: size } = openModelFileSync(file, `a FasterTransformer weight file (${dtype} ${renderShape(shape)})`);
  try {
    if (size !== elements * width) {
      throw new LlmDeployError('FasterTransformer weight file has the wrong size', {
        code: 'MODEL_WEIGHTS_INVALID',
        file,
        given: `${size} bytes`,
        expected: `${elements * width} bytes (${dtype} ${renderShape(shape)})`,
      });
    }
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) done += readSync(descriptor, bytes, done, size - done, done);
    const out = new Float32Array(elements);
    convertToFloat32(bytes, dtype === 'fp16' ? 'F16' : 'F32', out, 0);
    return out;
  } finally {
    closeSync(descriptor);
  }
}

/** Undoes the converter's transform: FT tensor -> HF tensor number `part` of `weight.sources`. */
function fromFt(data: Float32Array, weight: FtWeight, part: number): Float32Array {
  switch (weight.transform) {
    case 'identity':
      return data;
    case 'transpose': {
      const [rows = 1, columns = 1] = weight.shape;
      return transpose2d(data, rows, columns);
    }
    case 'fused-qkv': {
      const [dModel = 1, , inner = 1] = weight.shape;
      const out = new Float32Array(inner * dModel);
      for (let row = 0; row < inner; row += 1) {
        for (let column = 0; column < dModel; column += 1) out[row * dModel + column] = data[(column * 3 + part) * inner + row] as number;
      }
      return out;
    }
    default: {
      const never: never = weight.transform;
      return never;
    }
  }
}
