import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LlmDeployError } from '../../config/index.js';
import { openWeights, readT5Config, type T5Config } from '../../model/index.js';
import {
  PRODUCER_MANIFEST,
  createGcsClient,
  parseStorageLocation,
  publishDirectory,
  refuseNonEmptyLocal,
  resolveModelSource,
  writeCompletionMarker,
  type GcsClient,
  type GcsClientOptions,
  type TransferProgress,
} from '../../storage/index.js';
import { convertError } from '../errors.js';
import { renderConfigIni, type FtWeightDtype } from './config-ini.js';
import { renderConfigPbtxt, type FtRuntimeDtype } from './config-pbtxt.js';
import { verifyFtWeights } from './verify.js';
import { writeFtWeights, type ConvertProgress } from './write-weights.js';

/** Files copied next to the weights so a server can build the tokenizer and generation defaults. */
export const MODEL_SIDE_FILES = [
  'config.json',
  'spiece.model',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'generation_config.json',
] as const;

/** What a conversion reports while it runs. */
export type ConvertEvent =
  | { readonly kind: 'info'; readonly message: string }
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'weights'; readonly progress: ConvertProgress }
  | { readonly kind: 'transfer'; readonly progress: TransferProgress };

/** Options of {@link convertToFasterTransformer}. */
export interface FasterTransformerOptions {
  /** Hugging Face checkpoint: local path, file:// or gs://. */
  readonly source: string;
  /** Repository root to create: local path, file:// or gs://. */
  readonly destination: string;
  readonly tensorParallel: number;
  /** Weight file dtype; default fp32. */
  readonly weightDtype?: FtWeightDtype;
  /** Triton `data_type`; default bf16 for gated models (fp16 overflows there), fp16 otherwise. */
  readonly dataType?: FtRuntimeDtype;
  readonly force?: boolean;
  /** Download cache for gs:// sources. */
  readonly cacheDir: string;
  readonly gcs?: GcsClientOptions;
  /** A ready Cloud Storage client (tests); wins over `gcs`. */
  readonly client?: GcsClient;
  readonly onEvent?: (event: ConvertEvent) => void;
}

/** What was written. */
export interface FasterTransformerResult {
  readonly destination: string;
  readonly modelDir: string;
  readonly weightFiles: number;
  readonly weightDtype: FtWeightDtype;
  readonly dataType: FtRuntimeDtype;
}

/**
 * Converts a T5 checkpoint into a Triton FasterTransformer repository, as NVIDIA's
 * huggingface_t5_ckpt_convert.py lays it out, verifies every file, and marks it complete last.
 * @example await convertToFasterTransformer({ source: './t5', destination: './t5-ft', tensorParallel: 2, cacheDir })
 */
export async function convertToFasterTransformer(options: FasterTransformerOptions): Promise<FasterTransformerResult> {
  const emit = options.onEvent ?? (() => undefined);
  const target = parseStorageLocation(options.destination);
  const client = options.client ?? (target.kind === 'gcs' || options.source.startsWith('gs://') ? createGcsClient(options.gcs) : undefined);
  if (target.kind === 'local') await refuseNonEmpty(() => refuseNonEmptyLocal(target.path, options.force ?? false));
  else if (client !== undefined && options.force !== true) await refuseNonEmptyBucket(client, target);
  const sourceDir = await openSource(options, client);
  const config = await readSourceConfig(sourceDir);
  checkTensorParallel(config, options.tensorParallel);
  const choice = chooseDtypes(config, options, emit);
  const staging =
    target.kind === 'local'
      ? join(dirname(target.path), `.${basename(target.path)}.partial-${process.pid}-${Date.now()}`)
      : await mkdtemp(join(tmpdir(), 'llm-deploy-convert-'));
  const modelRelative = join('fastertransformer', '1', `${options.tensorParallel}-gpu`);
  try {
    const weightFiles = await writeLayout({ sourceDir, staging, modelRelative, config, options, ...choice, emit });
    if (target.kind === 'local') {
      await mkdir(dirname(target.path), { recursive: true });
      await rm(target.path, { recursive: true, force: true });
      await rename(staging, target.path);
      await writeCompletionMarker(join(target.path, modelRelative), 'llm-deploy convert');
      await writeCompletionMarker(target.path, 'llm-deploy convert');
    } else {
      await writeCompletionMarker(join(staging, modelRelative), 'llm-deploy convert');
      await writeCompletionMarker(staging, 'llm-deploy convert');
      emit({ kind: 'info', message: `uploading to ${options.destination}` });
      await publishDirectory(staging, options.destination, {
        ...(client === undefined ? {} : { client }),
        force: options.force ?? false,
        onProgress: (progress) => emit({ kind: 'transfer', progress }),
      });
    }
    const destination = target.kind === 'local' ? target.path : options.destination;
    return { destination, modelDir: `${destination}/${modelRelative}`, weightFiles, ...choice };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function refuseNonEmpty(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (cause) {
    if (!LlmDeployError.isInstance(cause)) throw cause;
    throw convertError('CONVERT_DESTINATION_NOT_EMPTY', 'the destination already holds files', {
      ...(cause.file === undefined ? {} : { file: cause.file }),
      httpStatus: 400,
      expected: 'an empty or new directory, or --force to replace it',
      cause,
    });
  }
}

async function refuseNonEmptyBucket(client: GcsClient, target: { bucket: string; prefix: string }): Promise<void> {
  const existing = await client.list(target.bucket, target.prefix === '' ? '' : `${target.prefix}/`);
  if (existing.length > 0) {
    throw convertError('CONVERT_DESTINATION_NOT_EMPTY', 'the destination already holds objects', {
      file: `gs://${target.bucket}/${target.prefix}`,
      httpStatus: 400,
      expected: 'an empty prefix, or --force to replace it',
    });
  }
}

async function openSource(options: FasterTransformerOptions, client: GcsClient | undefined): Promise<string> {
  try {
    return await resolveModelSource(options.source, {
      cacheDir: options.cacheDir,
      ...(client === undefined ? {} : { client }),
      onProgress: (progress) => options.onEvent?.({ kind: 'transfer', progress }),
    });
  } catch (cause) {
    throw sourceError(cause, options.source);
  }
}

async function readSourceConfig(sourceDir: string): Promise<T5Config> {
  try {
    return await readT5Config(sourceDir);
  } catch (cause) {
    throw sourceError(cause, sourceDir);
  }
}

/** Re-raises model/storage errors about the source under CONVERT_ codes, keeping their facts. */
function sourceError(cause: unknown, where: string): unknown {
  if (!LlmDeployError.isInstance(cause)) return cause;
  const code =
    cause.code === 'MODEL_UNSUPPORTED'
      ? 'CONVERT_MODEL_UNSUPPORTED'
      : cause.code === 'MODEL_TENSOR_MISSING'
        ? 'CONVERT_TENSOR_MISSING'
        : 'CONVERT_SOURCE_UNREADABLE';
  return convertError(code, 'cannot convert this source', {
    file: cause.file ?? where,
    ...(cause.field === undefined ? {} : { field: cause.field }),
    ...(cause.given === undefined ? {} : { given: cause.given }),
    ...(cause.expected === undefined ? {} : { expected: cause.expected }),
    httpStatus: 400,
    cause,
  });
}

/** N must divide d_model, num_heads and d_ff (FT splits heads and FFN columns across ranks). */
export function checkTensorParallel(config: T5Config, tensorParallel: number): void {
  if (!Number.isInteger(tensorParallel) || tensorParallel < 1) {
    throw convertError('CONVERT_TENSOR_PARALLEL_INVALID', 'tensor parallel size must be a positive integer', {
      field: '--tensor-parallel',
      given: String(tensorParallel),
      httpStatus: 400,
    });
  }
  const sizes: ReadonlyArray<readonly [string, number]> = [
    ['d_model', config.dModel],
    ['num_heads', config.numHeads],
    ['d_ff', config.dFf],
  ];
  for (const [field, size] of sizes) {
    if (size % tensorParallel !== 0) {
      throw convertError('CONVERT_TENSOR_PARALLEL_INVALID', `tensor parallel size does not divide ${field}`, {
        field: '--tensor-parallel',
        given: `${tensorParallel} (${field} = ${size})`,
        expected: `a divisor of d_model ${config.dModel}, num_heads ${config.numHeads} and d_ff ${config.dFf}`,
        httpStatus: 400,
      });
    }
  }
}

function chooseDtypes(
  config: T5Config,
  options: FasterTransformerOptions,
  emit: (event: ConvertEvent) => void,
): { weightDtype: FtWeightDtype; dataType: FtRuntimeDtype } {
  const gated = config.feedForwardProj.includes('gated');
  const weightDtype = options.weightDtype ?? 'fp32';
  const dataType = options.dataType ?? (gated ? 'bf16' : 'fp16');
  if (gated && (weightDtype === 'fp16' || dataType === 'fp16')) {
    emit({
      kind: 'warning',
      message:
        `gated model (${config.feedForwardProj}) with ${weightDtype === 'fp16' ? 'fp16 weight files' : ''}` +
        `${weightDtype === 'fp16' && dataType === 'fp16' ? ' and ' : ''}${dataType === 'fp16' ? 'data_type fp16' : ''}: ` +
        'Flan-T5/T5 v1.1 activations overflow fp16 in FasterTransformer (fastertransformer_backend#95); ' +
        'fp32 weight files with data_type bf16 is the combination known to work',
    });
  }
  return { weightDtype, dataType };
}

interface LayoutJob {
  readonly sourceDir: string;
  readonly staging: string;
  readonly modelRelative: string;
  readonly config: T5Config;
  readonly options: FasterTransformerOptions;
  readonly weightDtype: FtWeightDtype;
  readonly dataType: FtRuntimeDtype;
  readonly emit: (event: ConvertEvent) => void;
}

async function writeLayout(job: LayoutJob): Promise<number> {
  const { staging, options, config } = job;
  const modelDir = join(staging, job.modelRelative);
  await mkdir(modelDir, { recursive: true });
  const manifest = `${JSON.stringify({
    format: 'fastertransformer',
    tensorParallel: options.tensorParallel,
    weightDtype: job.weightDtype,
    dataType: job.dataType,
    source: options.source,
    modelDir: job.modelRelative.split('\\').join('/'),
  }, null, 2)}\n`;
  await writeFile(join(staging, PRODUCER_MANIFEST), manifest);
  await writeFile(join(modelDir, PRODUCER_MANIFEST), manifest);
  await writeFile(join(staging, 'fastertransformer', 'config.pbtxt'), renderConfigPbtxt({ tensorParallel: options.tensorParallel, dataType: job.dataType }));
  const configJsonText = await readFile(join(job.sourceDir, 'config.json'), 'utf8');
  await writeFile(join(modelDir, 'config.ini'), renderConfigIni({ configJsonText, nameOrPath: options.source, weightDtype: job.weightDtype }));
  for (const name of MODEL_SIDE_FILES) {
    await copyFile(join(job.sourceDir, name), join(modelDir, name)).catch((error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    });
  }
  let store;
  try {
    store = await openWeights(job.sourceDir, config);
  } catch (cause) {
    throw sourceError(cause, job.sourceDir);
  }
  try {
    job.emit({ kind: 'info', message: `converting ${store.source} -> ${job.modelRelative} (${job.weightDtype} files, tensor parallel ${options.tensorParallel})` });
    await writeFtWeights(store, config, {
      dir: modelDir,
      tensorParallel: options.tensorParallel,
      weightDtype: job.weightDtype,
      onProgress: (progress) => job.emit({ kind: 'weights', progress }),
    });
  } finally {
    store.close();
  }
  return verifyFtWeights(modelDir, config, { tensorParallel: options.tensorParallel, weightDtype: job.weightDtype });
}
