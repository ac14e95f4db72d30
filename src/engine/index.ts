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
