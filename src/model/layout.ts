import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import { COMPLETION_MARKER, PRODUCER_MANIFEST, hasCompletionMarker, hasProducerManifest, pathExists } from '../storage/index.js';
import { readConfigIni, weightDtypeOf } from './fastertransformer/config-ini-reader.js';
import { t5ConfigFromIni } from './fastertransformer/config-from-ini.js';
import { openFasterTransformerWeights } from './fastertransformer/ft-weight-store.js';
import { MODEL_FILE_LIMITS, readModelFile } from './model-file.js';
import { CAUSAL_MODEL_TYPES, causalConfigFrom, type CausalConfig } from './causal-config.js';
import { openCausalWeights } from './causal-weights.js';
import { readJsonFile } from './json-file.js';
import { BART_MODEL_TYPES, bartConfigFrom, type BartConfig } from './bart-config.js';
import { openBartWeights } from './bart-weights.js';
import { modelError, renderValue } from './errors.js';
import { readT5Config, T5_MODEL_TYPES, type T5Config } from './t5-config.js';
import { openWeights, type WeightStore } from './weight-store.js';

/** The model directory kinds `serve` and `convert` accept. */
export type ModelLayout = 'huggingface' | 'onnx' | 'fastertransformer';

/** The graph manifests an ONNX directory written by `convert --to onnx` may hold (the engine's GRAPH_MANIFEST_FILES: current, then T5's previous one). */
export const ONNX_MANIFESTS: readonly string[] = ['graphs.json', 't5-graphs.json'];

/**
 * Tells the layout apart by the files present: a Triton repository root (`fastertransformer/config.pbtxt`)
 * or its `1/N-gpu` folder (config.ini + shared.weight_T.bin), an ONNX directory (its manifest), or a
 * Hugging Face checkpoint (config.json).
 */
export async function detectModelLayout(dir: string): Promise<ModelLayout> {
  if (await pathExists(join(dir, 'fastertransformer', 'config.pbtxt'))) return 'fastertransformer';
  if ((await pathExists(join(dir, 'config.ini'))) && (await pathExists(join(dir, 'shared.weight_T.bin')))) return 'fastertransformer';
  for (const manifest of ONNX_MANIFESTS) if (await pathExists(join(dir, manifest))) return 'onnx';
  if (await pathExists(join(dir, 'config.json'))) return 'huggingface';
  throw new LlmDeployError('not a model directory', {
    code: 'MODEL_FILE_MISSING',
    file: dir,
    httpStatus: 400,
    expected: 'a Hugging Face checkpoint (config.json + weights), an ONNX directory or a FasterTransformer repository',
  });
}

/** Refuses a directory llm-deploy wrote (its producer manifest is there) that lacks the completion marker. */
export async function checkCompletionMarker(dir: string): Promise<void> {
  if ((await hasProducerManifest(dir)) && !(await hasCompletionMarker(dir))) {
    throw new LlmDeployError('this layout was written by llm-deploy but never finished (interrupted conversion or upload)', {
      code: 'MODEL_LAYOUT_INCOMPLETE',
      file: dir,
      httpStatus: 409,
      field: COMPLETION_MARKER,
      expected: `${COMPLETION_MARKER} next to ${PRODUCER_MANIFEST}; rerun the conversion`,
    });
  }
}

/** The config of an encoder-decoder (T5, BART) or a decoder-only checkpoint. */
export type ModelConfig = T5Config | CausalConfig | BartConfig;

/** True for decoder-only configs. */
export function isCausalConfig(config: ModelConfig): config is CausalConfig {
  return 'architecture' in config && config.architecture === 'decoder-only';
}

/** True for BART configs. */
export function isBartConfig(config: ModelConfig): config is BartConfig {
  return 'family' in config && config.family === 'bart';
}

/** An opened model directory: where each part lives and how to get its weights. */
export interface ModelDirectory {
  readonly layout: ModelLayout;
  /** The directory given. */
  readonly dir: string;
  /** Where the weights live (for FasterTransformer: the `1/N-gpu` folder). */
  readonly modelDir: string;
  /** T5 for every layout; a decoder-only config (`architecture: 'decoder-only'`) for Hugging Face checkpoints of those families. */
  readonly config: ModelConfig;
  /** Holds generation_config.json (when the checkpoint had one). */
  readonly generationDir: string;
  /** Holds spiece.model / tokenizer.json. */
  readonly tokenizerDir: string;
  /** Tensors under canonical HF names (not for ONNX directories, whose weights live in the graphs). */
  openWeights(): Promise<WeightStore>;
}

/**
 * Opens any accepted layout after the completion-marker check.
 * @example const model = await openModelDirectory(dir); const weights = await model.openWeights();
 */
export async function openModelDirectory(dir: string): Promise<ModelDirectory> {
  const layout = await detectModelLayout(dir);
  await checkCompletionMarker(dir);
  if (layout === 'fastertransformer') {
    const modelDir = (await pathExists(join(dir, 'fastertransformer', 'config.pbtxt'))) ? await ftModelDir(dir) : dir;
    if (modelDir !== dir) await checkCompletionMarker(modelDir);
    const ini = await readConfigIni(modelDir);
    // config.json when the folder has one (llm-deploy and the GCP flow copy it), else config.ini.
    const config = (await pathExists(join(modelDir, 'config.json')))
      ? await readT5Config(modelDir)
      : t5ConfigFromIni(ini, join(modelDir, 'config.ini'));
    const tensorParallel = Number(/^(\d+)-gpu$/.exec(basename(modelDir))?.[1] ?? (await countRanks(modelDir)));
    const weightDtype = weightDtypeOf(ini, join(modelDir, 'config.ini'));
    return {
      layout,
      dir,
      modelDir,
      config,
      generationDir: modelDir,
      tokenizerDir: modelDir,
      openWeights: async () => openFasterTransformerWeights(modelDir, config, { tensorParallel, weightDtype }),
    };
  }
  // An ONNX directory holds the checkpoint's config.json: every family's reader applies, as for the checkpoint.
  const config = await readHuggingFaceConfig(dir);
  return {
    layout,
    dir,
    modelDir: dir,
    config,
    generationDir: dir,
    tokenizerDir: dir,
    openWeights: async () => {
      if (layout === 'onnx') {
        throw new LlmDeployError('an ONNX directory holds its weights inside the graphs', { code: 'MODEL_UNSUPPORTED', file: dir });
      }
      if (isBartConfig(config)) return openBartWeights(dir, config);
      return isCausalConfig(config) ? openCausalWeights(dir, config) : openWeights(dir, config);
    },
  };
}

/** `model_type` values a Hugging Face checkpoint may have. */
export const SERVED_MODEL_TYPES: readonly string[] = [...T5_MODEL_TYPES, ...BART_MODEL_TYPES, ...CAUSAL_MODEL_TYPES];

// config.json's model_type picks the reader; an unserved one is refused naming every served type.
async function readHuggingFaceConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, 'config.json');
  const value = await readJsonFile(file, { expected: 'a Hugging Face config.json' });
  const modelType = typeof value === 'object' && value !== null && 'model_type' in value ? value.model_type : undefined;
  if (typeof modelType === 'string' && CAUSAL_MODEL_TYPES.includes(modelType)) return causalConfigFrom(value, file);
  if (T5_MODEL_TYPES.some((type) => type === modelType)) return readT5Config(dir);
  if (BART_MODEL_TYPES.some((type) => type === modelType)) return bartConfigFrom(value, file);
  throw modelError('MODEL_UNSUPPORTED', 'unsupported model type', {
    file,
    field: 'model_type',
    given: renderValue(modelType),
    expected: `one of ${SERVED_MODEL_TYPES.map((type) => JSON.stringify(type)).join(', ')}`,
    httpStatus: 400,
  });
}

// The checkpoint folder: default_model_filename of config.pbtxt, else the one `<N>-gpu` folder under 1/.
async function ftModelDir(root: string): Promise<string> {
  const pbtxtFile = join(root, 'fastertransformer', 'config.pbtxt');
  const pbtxt =
    (await readModelFile(pbtxtFile, { expected: 'a Triton config.pbtxt', maxBytes: MODEL_FILE_LIMITS.textBytes }))?.toString('utf8') ?? '';
  const named = /default_model_filename:\s*"([^"]+)"/.exec(pbtxt)?.[1];
  const version = join(root, 'fastertransformer', '1');
  if (named !== undefined && named !== '') return join(version, named);
  const folders = (await readdir(version).catch(() => [])).filter((name) => /^\d+-gpu$/.test(name));
  if (folders.length !== 1) {
    throw new LlmDeployError('cannot tell which checkpoint folder of the repository to load', {
      code: 'MODEL_FILE_MISSING',
      file: version,
      given: folders.length === 0 ? 'no N-gpu folder' : folders.join(', '),
      expected: 'exactly one N-gpu folder, or default_model_filename in config.pbtxt',
    });
  }
  return join(version, folders[0] ?? '');
}

async function countRanks(modelDir: string): Promise<number> {
  const files = await readdir(modelDir);
  return files.filter((name) => /^encoder\.block\.0\.layer\.0\.SelfAttention\.q\.weight\.\d+\.bin$/.test(name)).length || 1;
}
