import { join } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import {
  entryExists,
  isBartConfig,
  isCausalConfig,
  T5_MODEL_TYPES,
  openModelDirectory,
  readGenerationConfig,
  type ModelConfig,
  type ModelDirectory,
  type T5Config,
} from '../model/index.js';
import {
  resolveModelSource,
  type GcsClient,
  type GcsClientOptions,
  type HubClientOptions,
  type TransferProgress,
} from '../storage/index.js';
import { TOKENIZER_FILES, loadTokenizer } from '../tokenizer/index.js';
import { convertError } from './errors.js';

/** How a conversion reaches its source and destination: the download cache, Cloud Storage and the Hub. */
export interface ConvertAccess {
  /** Replace a destination that already holds files. */
  readonly force?: boolean;
  /** Download cache for remote sources; gs:// destinations are staged under it. */
  readonly cacheDir: string;
  readonly gcs?: GcsClientOptions;
  /** A ready Cloud Storage client (tests); wins over `gcs`. */
  readonly client?: GcsClient;
  /** HF_ENDPOINT and HF_TOKEN for hf:// and org/name sources. */
  readonly hub?: HubClientOptions;
}

/** Where a conversion reads from. */
export interface SourceOptions {
  /** Local path, file://, gs://, /gcs/, hf:// or a Hub id org/name. */
  readonly source: string;
  /** Download cache for gs:// sources. */
  readonly cacheDir: string;
  readonly client?: GcsClient;
  /** HF_ENDPOINT and HF_TOKEN for hf:// and org/name sources. */
  readonly hub?: HubClientOptions;
  readonly onTransfer?: (progress: TransferProgress) => void;
}

/** An opened conversion source: any layout `serve` accepts. */
export interface OpenedSource<Config extends ModelConfig = ModelConfig> {
  readonly dir: string;
  readonly model: ModelDirectory;
  readonly config: Config;
}

/** Resolves the source to a local directory and opens it (any accepted layout), with CONVERT_ errors. */
export async function openSource(options: SourceOptions): Promise<OpenedSource> {
  let dir: string;
  try {
    dir = await resolveModelSource(options.source, {
      cacheDir: options.cacheDir,
      ...(options.client === undefined ? {} : { client: options.client }),
      ...(options.hub === undefined ? {} : { hub: options.hub }),
      ...(options.onTransfer === undefined ? {} : { onProgress: options.onTransfer }),
    });
  } catch (cause) {
    throw sourceError(cause, options.source);
  }
  let model: ModelDirectory;
  try {
    model = await openModelDirectory(dir);
  } catch (cause) {
    throw sourceError(cause, dir);
  }
  const config = model.config;
  try {
    await checkServable(model);
    return { dir, model, config };
  } catch (cause) {
    throw sourceError(cause, dir);
  }
}

/**
 * The source as FasterTransformer's T5 layout takes it: the T5 family only (NVIDIA's converter loads the
 * checkpoint as T5ForConditionalGeneration); BART and decoder-only checkpoints are refused naming what is converted.
 */
export function requireT5Source(source: OpenedSource): OpenedSource<T5Config> {
  const { config } = source;
  if (isCausalConfig(config) || isBartConfig(config)) {
    throw convertError('CONVERT_MODEL_UNSUPPORTED', "FasterTransformer's T5 layout holds T5-family checkpoints only", {
      file: source.dir,
      field: 'model_type',
      given: config.modelType,
      expected:
        `the t5 family, model_type one of ${T5_MODEL_TYPES.map((type) => JSON.stringify(type)).join(', ')} ` +
        `(serve a ${config.modelType} checkpoint directly with \`llm-deploy serve --model DIR\`, or convert it with --to onnx)`,
      httpStatus: 400,
    });
  }
  return { ...source, config };
}

// What `serve` reads besides the weights, read the same way here, so a conversion never finishes with output serve refuses.
async function checkServable(model: ModelDirectory): Promise<void> {
  await readGenerationConfig(model.generationDir, model.config);
  const present = await Promise.all(TOKENIZER_FILES.map(async (name) => entryExists(join(model.tokenizerDir, name))));
  if (present.some(Boolean)) await loadTokenizer(model.tokenizerDir);
}

/** Re-raises model/storage errors about the source under CONVERT_ codes, keeping their facts. */
export function sourceError(cause: unknown, where: string): unknown {
  if (!LlmDeployError.isInstance(cause)) return cause;
  const code =
    cause.code === 'MODEL_UNSUPPORTED' || cause.code === 'ENGINE_MODEL_UNSUPPORTED'
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
