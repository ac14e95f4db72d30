import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FT_FEED_FORWARD_PROJECTIONS, MODEL_FILE_LIMITS, readModelFile, type ModelDirectory, type T5Config } from '../../model/index.js';
import { PRODUCER_MANIFEST, type TransferProgress } from '../../storage/index.js';
import { discardStaging, finishDestination, prepareDestination } from '../destination.js';
import { convertError } from '../errors.js';
import { copySideFiles } from '../side-files.js';
import { openSource, requireT5Source, sourceError, type ConvertAccess } from '../source.js';
import { renderConfigIni, type FtWeightDtype } from './config-ini.js';
import { renderConfigPbtxt, type FtRuntimeDtype } from './config-pbtxt.js';
import { verifyFtWeights } from './verify.js';
import { writeFtWeights, type ConvertProgress } from './write-weights.js';

/** What a conversion reports while it runs. */
export type ConvertEvent =
  | { readonly kind: 'info'; readonly message: string }
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'weights'; readonly progress: ConvertProgress }
  | { readonly kind: 'transfer'; readonly progress: TransferProgress };

/** Options of {@link convertToFasterTransformer}. */
export interface FasterTransformerOptions extends ConvertAccess {
  /** Hugging Face checkpoint: local path, file:// or gs://. */
  readonly source: string;
  /** Repository root to create: local path, file:// or gs://. */
  readonly destination: string;
  readonly tensorParallel: number;
  /** Weight file dtype; default fp32. */
  readonly weightDtype?: FtWeightDtype;
  /** Triton `data_type`; default bf16 for gated models (fp16 overflows there), fp16 otherwise. */
  readonly dataType?: FtRuntimeDtype;
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
  const destination = await prepareDestination(options);
  try {
    const onTransfer = (progress: TransferProgress): void => emit({ kind: 'transfer', progress });
    const source = requireT5Source(
      await openSource({
        ...options,
        ...(destination.client === undefined ? {} : { client: destination.client }),
        onTransfer,
      }),
    );
    checkFasterTransformerCarries(source.config);
    checkTensorParallel(source.config, options.tensorParallel);
    const choice = chooseDtypes(source.config, options, emit);
    const modelRelative = join('fastertransformer', '1', `${options.tensorParallel}-gpu`);
    const weightFiles = await writeLayout({
      source: source.model,
      staging: destination.staging,
      modelRelative,
      config: source.config,
      options,
      ...choice,
      emit,
    });
    if (destination.target.kind === 'gcs') emit({ kind: 'info', message: `uploading to ${options.destination}` });
    const where = await finishDestination(destination, [modelRelative], onTransfer);
    return { destination: where, modelDir: join(where, modelRelative), weightFiles, ...choice };
  } finally {
    await discardStaging(destination);
  }
}

/**
 * FasterTransformer's T5 (what NVIDIA's huggingface_t5_ckpt_convert.py writes, loading the checkpoint as
 * T5ForConditionalGeneration) holds T5, Flan-T5, UL2, ByT5 and mT5: one relative attention bias per stack and
 * the activations its FFN runs. umT5's per-layer biases, or another activation, would be lost or misread.
 */
export function checkFasterTransformerCarries(config: T5Config): void {
  if (config.relativeBiasPerLayer) {
    throw convertError('CONVERT_MODEL_UNSUPPORTED', "FasterTransformer's T5 layout has one relative attention bias per stack", {
      field: 'model_type',
      given: JSON.stringify(config.modelType),
      expected:
        't5 or mt5 (umT5 gives every layer its own relative attention bias, which FasterTransformer would drop); ' +
        'serve it with the native engine: the checkpoint itself or convert --to onnx',
      httpStatus: 400,
    });
  }
  if (!FT_FEED_FORWARD_PROJECTIONS.includes(config.feedForwardProj) || config.denseActFn !== expectedFtActivation(config)) {
    throw convertError('CONVERT_MODEL_UNSUPPORTED', 'FasterTransformer does not run this feed-forward activation', {
      field: 'feed_forward_proj',
      given: `${config.feedForwardProj} (dense_act_fn ${config.denseActFn})`,
      expected: `one of ${FT_FEED_FORWARD_PROJECTIONS.join(', ')} with the activation transformers derives from it`,
      httpStatus: 400,
    });
  }
}

// FasterTransformer derives its activation from feed_forward_proj alone; a config.json dense_act_fn that says otherwise
// (transformers honours it) would run differently there.
function expectedFtActivation(config: T5Config): string {
  const act = config.feedForwardProj.replace(/^gated-/, '');
  return config.feedForwardProj === 'gated-gelu' ? 'gelu_new' : act;
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
  readonly source: ModelDirectory;
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
  const manifest = `${JSON.stringify(
    {
      format: 'fastertransformer',
      tensorParallel: options.tensorParallel,
      weightDtype: job.weightDtype,
      dataType: job.dataType,
      source: options.source,
      modelDir: job.modelRelative.split('\\').join('/'),
    },
    null,
    2,
  )}\n`;
  await writeFile(join(staging, PRODUCER_MANIFEST), manifest);
  await writeFile(join(modelDir, PRODUCER_MANIFEST), manifest);
  await writeFile(
    join(staging, 'fastertransformer', 'config.pbtxt'),
    renderConfigPbtxt({ tensorParallel: options.tensorParallel, dataType: job.dataType }),
  );
  const configJson = await readModelFile(join(job.source.modelDir, 'config.json'), {
    expected: 'a Hugging Face config.json',
    maxBytes: MODEL_FILE_LIMITS.configJsonBytes,
  });
  const configJsonText = configJson?.toString('utf8') ?? '{}';
  await writeFile(
    join(modelDir, 'config.ini'),
    renderConfigIni({ configJsonText, nameOrPath: options.source, weightDtype: job.weightDtype }),
  );
  await copySideFiles(job.source.tokenizerDir, modelDir);
  if (job.source.generationDir !== job.source.tokenizerDir) await copySideFiles(job.source.generationDir, modelDir);
  let store;
  try {
    store = await job.source.openWeights();
  } catch (cause) {
    throw sourceError(cause, job.source.dir);
  }
  try {
    job.emit({
      kind: 'info',
      message: `converting ${store.source} -> ${job.modelRelative} (${job.weightDtype} files, tensor parallel ${options.tensorParallel})`,
    });
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
