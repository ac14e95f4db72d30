import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { storageError } from './errors.js';
import { PRODUCER_MANIFEST } from './marker.js';

/** One file of a listing (gs:// object or Hub file), by its name below the model's root. */
export interface ListedFile {
  /** `/`-separated name below the model's root, already checked by safeDestination. */
  readonly relative: string;
  readonly sizeBytes: number;
}

/** What {@link planModelFiles} keeps, the sharded index whose `weight_map` decides the shards, and what it says. */
export interface ModelFilePlan<T extends ListedFile> {
  readonly keep: readonly T[];
  /** The sharded index loading reads; its shards are filtered with {@link dropUnnamedShards} once it is read. */
  readonly index: T | undefined;
  readonly notices: readonly string[];
}

// What the model loader reads, in its order (src/model/weight-files.ts): the first one present is the one it loads.
const WEIGHT_CANDIDATES = [
  { name: 'model.safetensors', shard: /^[^/]+\.safetensors$/ },
  { name: 'model.safetensors.index.json', shard: /^[^/]+\.safetensors$/ },
  { name: 'pytorch_model.bin', shard: /^[^/]+\.bin$/ },
  { name: 'pytorch_model.bin.index.json', shard: /^[^/]+\.bin$/ },
] as const;

// Weight formats that loading never reads (TensorFlow, Flax, Rust, ONNX, GGUF, Core ML, ...) besides the chosen one;
// Hub repos such as google/flan-t5-base hold several: https://huggingface.co/google/flan-t5-base/tree/main
const WEIGHT_FILE = /\.(?:safetensors|bin|h5|msgpack|ot|pt|pth|ckpt|gguf|onnx|onnx_data|tflite|mlmodel|npz)$/;

// Hugging Face Trainer saves `checkpoint-N/` folders (optimizer, scheduler and RNG state beside the weights); training
// pipelines put them in `<name>_checkpoints/` next to the final model. Loading reads only the model at the top.
// https://huggingface.co/docs/transformers/main_classes/trainer#checkpoints
const CHECKPOINT_FOLDER = /^(?:[^/]*_checkpoints|checkpoint-\d+)$/;

const topFolder = (file: ListedFile): string => (file.relative.includes('/') ? (file.relative.split('/')[0] ?? '') : '');

/**
 * The files of a Hugging Face checkpoint (config.json at the top, not written by llm-deploy) that loading needs:
 * no training checkpoint folders, and of the weights only those the loader picks (model.safetensors, its index, then
 * pytorch_model.bin, its index); other formats, and folders holding them (`onnx/`), are skipped and reported.
 * Other layouts (converted by llm-deploy, or no config.json at the top) are kept whole.
 */
export function planModelFiles<T extends ListedFile>(files: readonly T[], where: string): ModelFilePlan<T> {
  const top = new Set(files.filter((file) => !file.relative.includes('/')).map((file) => file.relative));
  if (!top.has('config.json') || top.has(PRODUCER_MANIFEST)) return { keep: files, index: undefined, notices: [] };
  const notices: string[] = [];
  const checkpoints = files.filter((file) => CHECKPOINT_FOLDER.test(topFolder(file)));
  if (checkpoints.length > 0) {
    const folders = [...new Set(checkpoints.map((file) => `${topFolder(file)}/`))].sort();
    notices.push(
      `${where}: skipped ${checkpoints.length} files (${sumBytes(checkpoints)} bytes) of training checkpoints not needed to load the model: ${folders.join(', ')}`,
    );
  }
  const rest = files.filter((file) => !checkpoints.includes(file));
  const chosen = WEIGHT_CANDIDATES.find((candidate) => top.has(candidate.name));
  if (chosen === undefined) return { keep: rest, index: undefined, notices };
  const needed = (file: T): boolean =>
    file.relative === chosen.name || (chosen.name.endsWith('.index.json') && chosen.shard.test(file.relative));
  const unread = (file: T): boolean =>
    (WEIGHT_FILE.test(file.relative) && !needed(file)) ||
    (file.relative !== chosen.name && WEIGHT_CANDIDATES.some((candidate) => candidate.name === file.relative));
  const foldersWithUnread = new Set(rest.filter((file) => unread(file) && topFolder(file) !== '').map(topFolder));
  const skipped = rest.filter((file) => unread(file) || foldersWithUnread.has(topFolder(file)));
  if (skipped.length > 0) {
    const names = [...new Set(skipped.map((file) => (topFolder(file) === '' ? file.relative : `${topFolder(file)}/`)))].sort();
    notices.push(
      `${where}: skipped ${skipped.length} files (${sumBytes(skipped)} bytes) in weight formats loading does not read ` +
        `(it reads ${chosen.name}): ${names.join(', ')}`,
    );
  }
  const keep = rest.filter((file) => !skipped.includes(file));
  return { keep, index: keep.find((file) => file.relative === chosen.name && chosen.name.endsWith('.index.json')), notices };
}

const ShardIndex = z.object({ weight_map: z.record(z.string(), z.string()) }).loose();

/**
 * Drops the shard-format files that the index's `weight_map` does not name (a leftover shard of an earlier save),
 * reporting them; a shard the index names but the listing lacks is STORAGE_INCOMPLETE before any shard downloads.
 */
export function dropUnnamedShards<T extends ListedFile>(
  plan: ModelFilePlan<T>,
  indexJson: unknown,
  where: string,
): { readonly keep: readonly T[]; readonly notice?: string } {
  const index = plan.index;
  if (index === undefined) return { keep: plan.keep };
  const parsed = ShardIndex.safeParse(indexJson);
  if (!parsed.success) {
    throw storageError('STORAGE_DOWNLOAD_FAILED', 'the sharded index has no weight_map of tensor name -> shard file', {
      file: `${where}/${index.relative}`,
      expected: '{"weight_map": {"<tensor>": "<shard file>", ...}}',
    });
  }
  const named = new Set(Object.values(parsed.data.weight_map));
  const listed = new Set(plan.keep.map((file) => file.relative));
  const absent = [...named].filter((name) => !listed.has(name)).sort();
  if (absent.length > 0) {
    throw storageError('STORAGE_INCOMPLETE', 'the sharded index names shards that are not there', {
      file: `${where}/${index.relative}`,
      given: absent.join(', '),
      expected: 'every shard file the weight_map names, next to the index',
    });
  }
  const shard = WEIGHT_CANDIDATES.find((candidate) => candidate.name === index.relative)?.shard;
  const leftover = plan.keep.filter((file) => shard?.test(file.relative) === true && !named.has(file.relative));
  const keep = plan.keep.filter((file) => !leftover.includes(file));
  if (leftover.length === 0) return { keep };
  const names = leftover.map((file) => file.relative).sort();
  return {
    keep,
    notice: `${where}: skipped ${leftover.length} shard files (${sumBytes(leftover)} bytes) that ${index.relative} does not name: ${names.join(', ')}`,
  };
}

function sumBytes(files: readonly ListedFile[]): number {
  return files.reduce((sum, file) => sum + file.sizeBytes, 0);
}

/** The parsed JSON of a downloaded sharded index (its shape is checked by {@link dropUnnamedShards}). */
export async function readShardIndex(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw storageError('STORAGE_DOWNLOAD_FAILED', 'the sharded index is not JSON', { file, cause });
  }
}
