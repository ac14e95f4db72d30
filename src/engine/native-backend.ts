/**
 * The native backend: a family's runtime (ONNX graphs on onnxruntime; T5, or a decoder-only family)
 * driven by the continuous-batching scheduler, with Hugging Face `generate` semantics and the model's
 * generation_config.json defaults.
 */
import { basename } from 'node:path';
import { defaultGenerationConfig, openModelDirectory, readGenerationConfig, type GenerationConfig } from '../model/index.js';
import type { Backend, BackendFamily, BackendInfo, BackendStats, GenerateRequest, GenerateResult, GenerationParams } from './backend.js';
import { createDecodeTask, type TaskModelIds } from './generation/decode-task.js';
import { paramsFromGenerationConfig } from './generation/defaults.js';
import { inputInvalid, optionsInvalid } from './generation/errors.js';
import { newTokensWithin, resolveGenerationParams } from './generation/params.js';
import { openFamilyGraphDirectory } from './families/family-graphs.js';
import { familyForConfig, familyServing } from './families/registry.js';
import type { GenerationRuntime } from './runtime/types.js';
import { ContinuousBatcher } from './scheduler/continuous-batcher.js';
import { closed } from './scheduler/errors.js';
import { resolveEngineSettings, type EngineSettings } from './settings.js';

/** Builds the runtime for a model directory; the default builds graphs from the checkpoint's weights. */
export type RuntimeFactory = (input: { modelDir: string; settings: EngineSettings }) => Promise<GenerationRuntime>;

/** Options of {@link loadNativeBackend}: a model directory, or an already-created runtime. */
export interface NativeBackendOptions {
  /** A Hugging Face model directory (config.json, generation_config.json, weights). */
  readonly modelDir?: string;
  /** A runtime built elsewhere (e.g. from an ONNX directory); `modelDir` is then read only for generation_config.json. */
  readonly runtime?: GenerationRuntime;
  /** Builds the runtime from `modelDir` when `runtime` is not given (other layouts plug in here); default {@link checkpointRuntime}. */
  readonly createRuntime?: RuntimeFactory;
  /** Generation defaults; default: `modelDir`'s generation_config.json, else the runtime config's token ids with HF defaults. */
  readonly generationConfig?: GenerationConfig;
  /** Name reported in `info.modelName`; default: the directory's base name. */
  readonly modelName?: string;
  readonly settings?: Partial<EngineSettings>;
  /** Run one tiny generation before returning, so the first request does not pay onnxruntime's first-run cost (default true). */
  readonly warmUp?: boolean;
}

/** Loads a model and returns a {@link Backend} that batches requests continuously. */
export async function loadNativeBackend(options: NativeBackendOptions): Promise<Backend> {
  const settings = resolveEngineSettings(options.settings);
  const runtime = options.runtime ?? (await buildRuntime(options, settings));
  try {
    const generationConfig = options.generationConfig ?? (await readDefaults(options.modelDir, runtime));
    const modelName = options.modelName ?? (options.modelDir === undefined ? 'model' : basename(options.modelDir));
    const family = familyOfRuntime(runtime);
    const backend = new NativeBackend({ runtime, settings, generationConfig, modelName, ...(family === undefined ? {} : { family }) });
    if (options.warmUp !== false) {
      await backend.generate({
        inputIds: [generationConfig.eosTokenId],
        params: { maxNewTokens: 2, minNewTokens: 0, numBeams: 1, doSample: false, numReturnSequences: 1 },
      });
    }
    return backend;
  } catch (error) {
    if (options.runtime === undefined) await runtime.close();
    throw error;
  }
}

async function buildRuntime(options: NativeBackendOptions, settings: EngineSettings): Promise<GenerationRuntime> {
  if (options.modelDir === undefined) {
    throw optionsInvalid('modelDir', 'a model directory path or an already-created runtime');
  }
  return (options.createRuntime ?? checkpointRuntime)({ modelDir: options.modelDir, settings });
}

/**
 * The default {@link RuntimeFactory} for every layout `serve` accepts: an ONNX directory loads its
 * graphs as written (through the family its config.json names, which its manifest must name too); a Hugging Face checkpoint or a FasterTransformer repository has its graphs built
 * from the weights by its family (the family table decides, by model_type and architectures). Layouts
 * llm-deploy wrote are refused without their completion marker.
 */
export const checkpointRuntime: RuntimeFactory = async ({ modelDir, settings }) => {
  const model = await openModelDirectory(modelDir);
  const threads = settings.threads > 0 ? { threads: settings.threads } : {};
  const family = familyForConfig(model.config);
  if (model.layout === 'onnx') return openFamilyGraphDirectory(family, model, threads);
  return family.openCheckpoint(model, { quantize: settings.quantize, ...threads });
};

// The family row of the runtime's config.json model_type; absent for runtimes built without one (test doubles).
function familyOfRuntime(runtime: GenerationRuntime): BackendFamily | undefined {
  const modelType = runtime.config.raw['model_type'];
  const family = typeof modelType === 'string' ? familyServing(modelType) : undefined;
  return family === undefined ? undefined : { name: family.name, fasterTransformerContract: family.fasterTransformerContract };
}

async function readDefaults(modelDir: string | undefined, runtime: GenerationRuntime): Promise<GenerationConfig> {
  if (modelDir !== undefined) {
    const model = await openModelDirectory(modelDir);
    return readGenerationConfig(model.generationDir, model.config);
  }
  return defaultGenerationConfig(runtime.config);
}

interface NativeBackendParts {
  readonly runtime: GenerationRuntime;
  readonly settings: EngineSettings;
  readonly generationConfig: GenerationConfig;
  readonly modelName: string;
  readonly family?: BackendFamily;
}

/** {@link Backend} over a family's runtime and the continuous batcher. */
class NativeBackend implements Backend {
  readonly info: BackendInfo;
  private readonly batcher: ContinuousBatcher;
  private readonly ids: TaskModelIds;
  private closing: Promise<void> | undefined;

  constructor(private readonly parts: NativeBackendParts) {
    const defaults: GenerationParams = paramsFromGenerationConfig(parts.generationConfig);
    this.info = Object.freeze({
      kind: 'native',
      architecture: parts.runtime.architecture,
      provider: parts.runtime.provider,
      modelName: parts.modelName,
      maxInputTokens: parts.settings.maxInputTokens,
      ...(parts.family === undefined ? {} : { family: parts.family }),
      defaults,
    });
    const { decoderStartTokenId, eosTokenId, eosTokenIds, forcedBosTokenId, forcedEosTokenIds, badWordsIds } = parts.generationConfig;
    const forced = {
      ...(forcedBosTokenId === undefined ? {} : { bosTokenId: forcedBosTokenId }),
      ...(forcedEosTokenIds === undefined ? {} : { eosTokenIds: forcedEosTokenIds }),
    };
    // HF NoBadWordsLogitsProcessor drops a banned sequence that is just an EOS id.
    const banned = (badWordsIds ?? []).filter((ids) => !(ids.length === 1 && eosTokenIds.includes(ids[0] as number)));
    this.ids = {
      decoderStartTokenId,
      eosTokenId,
      eosTokenIds,
      ...(Object.keys(forced).length > 0 ? { forced } : {}),
      ...(banned.length > 0 ? { badWordsIds: banned } : {}),
    };
    this.batcher = new ContinuousBatcher({
      runtime: parts.runtime,
      decoderStartTokenId: this.ids.decoderStartTokenId,
      maxBatchSize: parts.settings.maxBatchSize,
      maxQueue: parts.settings.maxQueue,
    });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closing) throw closed();
    this.checkInput(request.inputIds);
    const causal = this.info.architecture === 'decoder-only';
    const params = resolveGenerationParams(this.defaultsFor(request.inputIds.length), request.params, {
      maxNewTokensCap: this.parts.settings.maxNewTokensLimit,
      ...(causal ? { promptTokens: request.inputIds.length } : {}),
    });
    const limit = this.parts.runtime.maxSequenceTokens;
    if (limit !== undefined && request.inputIds.length + params.maxNewTokens > limit) {
      throw inputInvalid(
        `${request.inputIds.length} prompt tokens + ${params.maxNewTokens} new tokens`,
        `at most ${limit} tokens in all (the model's learned position table)`,
      );
    }
    const task = createDecodeTask({
      params,
      // HF causal generate: the prompt opens input_ids, and the new tokens are returned without it.
      ids: causal ? { ...this.ids, prompt: request.inputIds } : this.ids,
      ...(request.onToken ? { onToken: request.onToken } : {}),
      ...(request.returnLogProbs ? { returnLogProbs: true } : {}),
    });
    const result = await this.batcher.submit({
      inputIds: request.inputIds,
      task,
      expectedTokens: params.maxNewTokens + 1,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return {
      sequences: result.sequences,
      inputTokenCount: request.inputIds.length,
      timings: { queueMs: result.queueMs, firstTokenMs: result.firstTokenMs, totalMs: result.totalMs },
    };
  }

  /**
   * The model's defaults for a prompt of `promptTokens`: for decoder-only models `max_length` / `min_length`
   * of generation_config.json count the prompt (HF causal generate), unless `max_new_tokens` is set.
   */
  private defaultsFor(promptTokens: number): GenerationParams {
    const { defaults, architecture } = this.info;
    const config = this.parts.generationConfig;
    if (architecture !== 'decoder-only') return defaults;
    const maxNewTokens = config.maxNewTokens ?? Math.max(1, newTokensWithin(config.maxLength, promptTokens));
    const minNewTokens = Math.max(config.minNewTokens ?? 0, newTokensWithin(config.minLength, promptTokens), 0);
    return { ...defaults, maxNewTokens: Math.min(maxNewTokens, this.parts.settings.maxNewTokensLimit), minNewTokens };
  }

  async health(): Promise<{ readonly ready: boolean; readonly reason?: string }> {
    return this.closing ? { ready: false, reason: 'the engine is shutting down' } : { ready: true };
  }

  stats(): BackendStats {
    return this.batcher.stats();
  }

  close(): Promise<void> {
    this.closing ??= this.batcher.close().then(() => this.parts.runtime.close());
    return this.closing;
  }

  /** Prompt ids must be in-vocabulary integers, 1..maxInputTokens of them. */
  private checkInput(inputIds: readonly number[]): void {
    const { maxInputTokens } = this.parts.settings;
    const vocabSize = this.parts.runtime.vocabSize;
    if (inputIds.length === 0 || inputIds.length > maxInputTokens) {
      throw inputInvalid(`${inputIds.length} tokens`, `1 to ${maxInputTokens} tokens (the engine's maxInputTokens)`);
    }
    const bad = inputIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad !== undefined) {
      throw inputInvalid(`token id ${bad}`, `integers in 0..${vocabSize - 1}`);
    }
  }
}
