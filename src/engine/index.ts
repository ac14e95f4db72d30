export type {
  Backend,
  BackendInfo,
  BackendStats,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  GeneratedSequence,
  GenerationOverrides,
  GenerationParams,
  TokenEvent,
} from './backend.js';
export { DEFAULT_ENGINE_SETTINGS, engineSettingsSchema, resolveEngineSettings } from './settings.js';
export type { EngineSettings, Quantize } from './settings.js';
export { loadNativeBackend } from './native-backend.js';
export type { NativeBackendOptions, RuntimeFactory } from './native-backend.js';
