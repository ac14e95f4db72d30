export type {
  Backend,
  BackendInfo,
  BackendStats,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  GeneratedSequence,
  GenerationOptions,
  GenerationParams,
  TokenEvent,
} from './backend.js';
export { DEFAULT_ENGINE_SETTINGS, engineSettingsSchema, resolveEngineSettings } from './settings.js';
export type { EngineSettings, Quantize } from './settings.js';
export { checkpointRuntime, loadNativeBackend } from './native-backend.js';
export type { NativeBackendOptions, RuntimeFactory } from './native-backend.js';
export { createT5Runtime, createT5RuntimeFromGraphs } from './runtime/t5-runtime.js';
export { createCausalRuntime } from './runtime/causal-runtime.js';
export type { CreateCausalRuntimeOptions } from './runtime/causal-runtime.js';
export { buildT5Graphs } from './graph/t5-graphs.js';
export { GRAPH_MANIFEST_FILE, GRAPH_MANIFEST_FILES, LEGACY_T5_MANIFEST_FILE, readGraphManifest, writeGraphSet } from './graph/graph-set.js';
export type { GraphFile, GraphManifest, GraphRole, GraphSet, GraphSetSource } from './graph/graph-set.js';
export { buildFamilyGraphsInto } from './families/family-graphs.js';
export type {
  CausalRuntime,
  GenerationRuntime,
  PromptBatch,
  CreateT5RuntimeFromGraphsOptions,
  CreateT5RuntimeOptions,
  DecoderState,
  EncodedBatch,
  StartDecodingOptions,
  T5GraphOptions,
  T5Runtime,
} from './runtime/types.js';
export { createTritonBackend } from './triton-backend.js';
export { paramsFromGenerationConfig } from './generation/defaults.js';
export { resolveGenerationParams } from './generation/params.js';
export type { ParamLimits } from './generation/params.js';
export type { TritonBackendOptions } from './triton-backend.js';
export { familyForConfig, familyForModelType, MODEL_FAMILIES } from './families/registry.js';
export { T5_FAMILY } from './families/t5.js';
export { BART_FAMILY, bartLikeFamily } from './families/bart.js';
export type { BartLikeFacts } from './families/bart.js';
export { LLAMA_FAMILY } from './families/llama.js';
export { PHI_FAMILY } from './families/phi.js';
export { GPT2_FAMILY } from './families/gpt2.js';
export type { FamilyGraph, FamilyRuntimeOptions, FamilySpecialTokens, ModelFamily } from './families/model-family.js';
export { createOpenAiEngineBackend } from './openai-engine-backend.js';
export type { OpenAiEngineBackendOptions } from './openai-engine-backend.js';
export { OPENAI_ENGINE_ARCHITECTURES, OPENAI_ENGINES } from './openai-engine/dialects.js';
export type { OpenAiEngineKind } from './openai-engine/dialects.js';
