import { checkConfigAgainstWeights } from './config-vs-weights.js';
import { expectedT5Tensors } from './expected-tensors.js';
import { modelError, renderShape } from './errors.js';
import { isFloatDtype } from './dtype.js';
import { TensorReader } from './tensor-reader.js';
import type { TensorRecord } from './tensor-record.js';
import type { T5Config } from './t5-config.js';
import { findWeightFiles, loadTensorRecords } from './weight-files.js';

/** Read access to a checkpoint's tensors under their canonical Hugging Face state-dict names. */
export interface WeightStore {
  /** The weight file(s), for messages. */
  readonly source: string;
  /** Canonical names: `shared.weight` stands for the tied embeddings; `lm_head.weight` only when untied. */
  names(): readonly string[];
  has(name: string): boolean;
  shape(name: string): readonly number[];
  /** Reads a tensor from disk (F32/F16/BF16 -> float32, row-major); no cache, each call reads again. */
  read(name: string): Float32Array;
  /** Closes the weight files; reads afterwards reopen them. */
  close(): void;
}

/**
 * Opens the weights of the T5 checkpoint in `dir` (model.safetensors, its sharded index,
 * pytorch_model.bin or its sharded index, in that order of preference) and checks that every
 * tensor {@link expectedT5Tensors} lists is there with its shape and a float dtype.
 */
export async function openWeights(dir: string, config: T5Config): Promise<WeightStore> {
  const weightFiles = await findWeightFiles(dir);
  const records = canonicalize(await loadTensorRecords(weightFiles), config);
  const shapes = new Map([...records].map(([name, record]) => [name, record.shape]));
  checkConfigAgainstWeights(config, { shapes, source: weightFiles.source });
  checkExpectedTensors(records, expectedT5Tensors(config), weightFiles.source);
  return storeOverRecords(records, weightFiles.source);
}

/** Parameters of every tensor of `weights` (from the shapes: no tensor is read). */
export function parameterCount(weights: Pick<WeightStore, 'names' | 'shape'>): number {
  return weights.names().reduce((total, name) => total + weights.shape(name).reduce((product, size) => product * size, 1), 0);
}

/** A {@link WeightStore} reading `records` (canonical name -> record) on demand. */
export function storeOverRecords(records: ReadonlyMap<string, TensorRecord>, source: string): WeightStore {
  const reader = new TensorReader();
  for (const record of records.values()) if (record.storage.kind === 'raw') reader.open(record.file);
  const lookup = (name: string): TensorRecord => {
    const record = records.get(name);
    if (record === undefined) {
      throw modelError('MODEL_TENSOR_MISSING', 'no such tensor in the checkpoint', { file: source, field: name });
    }
    return record;
  };
  const names = Object.freeze([...records.keys()]);
  return {
    source,
    names: () => names,
    has: (name) => records.has(name),
    shape: (name) => lookup(name).shape,
    read: (name) => reader.read(lookup(name)),
    close: () => reader.close(),
  };
}

const EMBEDDING_ALIASES = ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight'];
// Old T5 checkpoints carry this unused tensor; transformers ignores it (`_keys_to_ignore_on_load_unexpected`).
const IGNORED = ['decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight'];

// A .bin holds the tied aliases (sharing shared.weight's storage); safetensors drops them. Map both to one set of names.
function canonicalize(found: ReadonlyMap<string, TensorRecord>, config: T5Config): Map<string, TensorRecord> {
  const records = new Map(found);
  if (!records.has('shared.weight')) {
    const alias = EMBEDDING_ALIASES.map((name) => records.get(name)).find((record) => record !== undefined);
    if (alias !== undefined) records.set('shared.weight', alias);
  }
  for (const name of [...EMBEDDING_ALIASES, ...IGNORED]) records.delete(name);
  if (config.tieWordEmbeddings) records.delete('lm_head.weight');
  return records;
}

/** Throws MODEL_TENSOR_MISSING / _SHAPE / MODEL_DTYPE_UNSUPPORTED unless every `expected` tensor is there, float, with its shape. */
export function checkExpectedTensors(
  records: ReadonlyMap<string, Pick<TensorRecord, 'shape' | 'dtype' | 'file'>>,
  expected: ReadonlyMap<string, readonly number[]>,
  source: string,
): void {
  for (const [name, shape] of expected) {
    const record = records.get(name);
    if (record === undefined) {
      throw modelError('MODEL_TENSOR_MISSING', 'checkpoint lacks a tensor the config requires', {
        file: source,
        field: name,
        expected: `a tensor of shape ${renderShape(shape)}`,
      });
    }
    if (record.shape.length !== shape.length || record.shape.some((size, axis) => size !== shape[axis])) {
      throw modelError('MODEL_TENSOR_SHAPE', 'tensor shape does not match config.json', {
        file: record.file,
        field: name,
        given: renderShape(record.shape),
        expected: renderShape(shape),
      });
    }
    if (!isFloatDtype(record.dtype)) {
      throw modelError('MODEL_DTYPE_UNSUPPORTED', 'tensor dtype cannot be read as float', {
        file: record.file,
        field: name,
        given: record.dtype,
        expected: 'F32, F16 or BF16',
      });
    }
  }
}
