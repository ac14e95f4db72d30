// SERVING_BACKEND: what runs the model of a deployment, its default from the model's architecture, and the refusals
// (a backend that cannot serve the architecture, a contradicting USE_FASTER_TRANSFORMER, a GPU engine on the local target).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { SettingProblem } from './config-error.js';
import type { ResolvedSetting } from './load.js';
import { fuseBucketPath, isLocalDirectory } from './model-source.js';
import type { ValueReader } from './settings.js';
import { ENGINE_DTYPES } from './settings-table.js';

/** The settings of a deployment's GPU engine container (SERVING_BACKEND itself is a runtime setting: serve reads it too). */
export interface EngineSettings {
  readonly trtllmImage: string;
  readonly vllmImage: string;
  readonly engineDtype: (typeof ENGINE_DTYPES)[number];
  readonly engineMaxModelLen: number;
  readonly engineGpuMemoryFraction: number;
}

/** The typed {@link EngineSettings}; call only when a deployment-mode load found no problems. */
export function engineSettings(value: ValueReader): EngineSettings {
  return {
    trtllmImage: value.string('TRTLLM_IMAGE'),
    vllmImage: value.string('VLLM_IMAGE'),
    engineDtype: value.choice('ENGINE_DTYPE', ENGINE_DTYPES),
    engineMaxModelLen: value.number('ENGINE_MAX_MODEL_LEN'),
    engineGpuMemoryFraction: value.number('ENGINE_GPU_MEMORY_FRACTION'),
  };
}

/**
 * Hugging Face architectures (config.json `architectures[0]`) each GPU engine serves, from the lists of the pinned images.
 * TensorRT-LLM's PyTorch backend: encoder-decoder checkpoints load directly (no engine build),
 * https://nvidia.github.io/TensorRT-LLM/latest/models/encoder-decoder.html ; decoder-only,
 * https://nvidia.github.io/TensorRT-LLM/models/supported-models.html (no GPT-2 or Phi-1/2 there).
 * vLLM: decoder-only only; no encoder-decoder text model (T5, BART) is in https://docs.vllm.ai/en/latest/models/supported_models.html
 */
const ENGINE_ARCHITECTURES: Readonly<Record<'tensorrt-llm' | 'vllm', readonly string[]>> = {
  'tensorrt-llm': [
    'T5ForConditionalGeneration',
    'BartForConditionalGeneration',
    'MBartForConditionalGeneration',
    'LlamaForCausalLM',
    'MistralForCausalLM',
    'MixtralForCausalLM',
    'Phi3ForCausalLM',
    'Qwen2ForCausalLM',
    'Qwen3ForCausalLM',
    'Gemma3ForCausalLM',
  ],
  vllm: [
    'LlamaForCausalLM',
    'MistralForCausalLM',
    'MixtralForCausalLM',
    'PhiForCausalLM',
    'Phi3ForCausalLM',
    'GPT2LMHeadModel',
    'Qwen2ForCausalLM',
    'Qwen3ForCausalLM',
    'GemmaForCausalLM',
    'Gemma2ForCausalLM',
    'Gemma3ForCausalLM',
  ],
};

/** Encoder-decoder architectures: TensorRT-LLM is the only GPU engine for them. */
const ENCODER_DECODER = new Set(['T5ForConditionalGeneration', 'BartForConditionalGeneration', 'MBartForConditionalGeneration']);

const CONFIG_JSON = z.object({ architectures: z.array(z.string()).min(1).optional(), model_type: z.string().optional() });

/**
 * The architecture in the model's config.json when the source is a directory on this machine; undefined for a bucket or
 * Hub source (reading it there would need credentials at `config` time) or a directory without a readable config.json.
 */
export function localArchitecture(source: string, isDirectory: (path: string) => boolean = isLocalDirectory): string | undefined {
  if (source.startsWith('gs://') || source.startsWith('hf://') || fuseBucketPath(source, isDirectory) !== undefined) return undefined;
  const path = source.startsWith('file://') ? source.slice('file://'.length) : source;
  if (!isDirectory(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(path, 'config.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = CONFIG_JSON.safeParse(json);
  return parsed.success ? (parsed.data.architectures?.[0] ?? parsed.data.model_type) : undefined;
}

/** The GPU engine a gke deployment defaults to for `architecture`: TensorRT-LLM for encoder-decoder, vLLM for decoder-only. */
export function defaultGpuBackend(architecture: string): 'tensorrt-llm' | 'vllm' | undefined {
  if (ENCODER_DECODER.has(architecture)) return 'tensorrt-llm';
  if (ENGINE_ARCHITECTURES.vllm.includes(architecture)) return 'vllm';
  return ENGINE_ARCHITECTURES['tensorrt-llm'].includes(architecture) ? 'tensorrt-llm' : undefined;
}

/** Where a resolved setting was given, for a problem's location. */
function located(setting: ResolvedSetting | undefined): { file?: string; line?: number; given?: string } {
  if (setting === undefined) return {};
  const where = setting.source.kind === 'file' ? { file: setting.source.file, line: setting.source.line } : {};
  return { ...where, given: setting.raw };
}

/** Options for {@link deriveServingBackend}. */
export interface ServingBackendContext {
  readonly problems: SettingProblem[];
  readonly notes: string[];
  readonly derive: (key: string, value: unknown, rule: string) => void;
  /** Reads a model directory's architecture (tests pass their own). */
  readonly architectureOf?: (source: string) => string | undefined;
  /** The env file, where a problem about an absent SERVING_BACKEND is reported. */
  readonly file?: string | undefined;
}

/**
 * Resolves SERVING_BACKEND (deployment mode, after DEPLOY_TARGET): USE_FASTER_TRANSFORMER=true means fastertransformer and
 * the reverse; both given and contradicting, a GPU engine on the local target, or an engine that cannot serve the model's
 * architecture are problems; on gke without a readable config.json it defaults to tensorrt-llm, with a note.
 */
export function deriveServingBackend(resolved: Map<string, ResolvedSetting>, context: ServingBackendContext): void {
  const given = resolved.get('SERVING_BACKEND');
  const fasterTransformer = resolved.get('USE_FASTER_TRANSFORMER');
  const fasterGiven = fasterTransformer !== undefined && fasterTransformer.source.kind !== 'default';
  const backend = given?.value;
  if (given !== undefined && fasterGiven && (backend === 'fastertransformer') !== (fasterTransformer.value === true)) {
    context.problems.push({
      key: 'SERVING_BACKEND',
      ...located(given),
      given: `SERVING_BACKEND=${given.raw} and USE_FASTER_TRANSFORMER=${fasterTransformer.raw}`,
      expected: 'SERVING_BACKEND=fastertransformer with USE_FASTER_TRANSFORMER=true, or either alone',
      message: 'SERVING_BACKEND and USE_FASTER_TRANSFORMER disagree',
    });
    return;
  }
  if (backend === 'fastertransformer' && !fasterGiven) {
    context.derive('USE_FASTER_TRANSFORMER', true, 'SERVING_BACKEND=fastertransformer');
  }
  const local = resolved.get('DEPLOY_TARGET')?.value === 'local';
  if (given === undefined) {
    deriveDefault(resolved, local, context);
    return;
  }
  if (local && (backend === 'tensorrt-llm' || backend === 'vllm')) {
    context.problems.push({
      key: 'SERVING_BACKEND',
      ...located(given),
      expected: 'native or fastertransformer on the local target',
      message: `the local target runs llm-deploy's own engine; ${given.raw} runs on the gke target (or start it yourself and run \`serve --backend ${given.raw} --backend-url URL\`)`,
    });
    return;
  }
  if (backend === 'tensorrt-llm' || backend === 'vllm') checkArchitecture(backend, given, resolved, context);
}

function modelArchitecture(resolved: ReadonlyMap<string, ResolvedSetting>, context: ServingBackendContext): string | undefined {
  const source = resolved.get('MODEL_SOURCE_PATH')?.value;
  return typeof source === 'string' ? (context.architectureOf ?? localArchitecture)(source) : undefined;
}

function deriveDefault(resolved: Map<string, ResolvedSetting>, local: boolean, context: ServingBackendContext): void {
  if (resolved.get('USE_FASTER_TRANSFORMER')?.value === true) {
    context.derive('SERVING_BACKEND', 'fastertransformer', 'USE_FASTER_TRANSFORMER=true');
    return;
  }
  if (local) {
    context.derive('SERVING_BACKEND', 'native', 'the local target runs the native engine');
    return;
  }
  const source = resolved.get('MODEL_SOURCE_PATH');
  if (source === undefined) return;
  const architecture = modelArchitecture(resolved, context);
  if (architecture === undefined) {
    // TensorRT-LLM serves both the T5 family (the original project's models) and the Llama family, so an
    // uninspectable source (a bucket, the Hub) gets it with a note rather than a refusal
    context.notes.push(
      `note: the model's config.json cannot be read here (MODEL_SOURCE_PATH=${source.raw}); SERVING_BACKEND defaults to ` +
        "tensorrt-llm (T5, Flan-T5, ByT5, BART, Llama, Mistral, Qwen); set SERVING_BACKEND=vllm for GPT-2 or Phi, or native for llm-deploy's own engine",
    );
    context.derive(
      'SERVING_BACKEND',
      'tensorrt-llm',
      "the GPU engine for the T5 and Llama families (the model's config.json is not readable here)",
    );
    return;
  }
  const engine = defaultGpuBackend(architecture);
  if (engine === undefined) {
    context.notes.push(`note: no GPU engine serves ${architecture}; SERVING_BACKEND defaults to native (llm-deploy's own engine)`);
    context.derive('SERVING_BACKEND', 'native', `no GPU engine serves ${architecture}`);
    return;
  }
  context.derive('SERVING_BACKEND', engine, `the GPU engine for ${architecture} (config.json)`);
}

function checkArchitecture(
  backend: 'tensorrt-llm' | 'vllm',
  given: ResolvedSetting,
  resolved: ReadonlyMap<string, ResolvedSetting>,
  context: ServingBackendContext,
): void {
  const architecture = modelArchitecture(resolved, context);
  const supported = ENGINE_ARCHITECTURES[backend];
  if (architecture === undefined || supported.includes(architecture)) return;
  const alternative = defaultGpuBackend(architecture) ?? 'native';
  context.problems.push({
    key: 'SERVING_BACKEND',
    ...located(given),
    expected: `a model of ${supported.join(', ')} for ${backend}; ${alternative} serves ${architecture}`,
    message: `${backend} cannot serve the model's architecture ${architecture} (config.json)`,
  });
}
