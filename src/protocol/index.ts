// Wire formats shared by the server's routes and the engine's Triton client.
export { createTensor } from './kserve-v2/tensor.js';
export type { KServeV2Tensor } from './kserve-v2/tensor.js';
export { INFERENCE_HEADER_CONTENT_LENGTH } from './kserve-v2/binary-framing.js';
export { serverMetadata } from './kserve-v2/metadata.js';
export { emptyInferenceStats } from './kserve-v2/statistics.js';
export type { TritonDurationStat, TritonInferenceStats, TritonModelStat } from './kserve-v2/statistics.js';
export { ftT5ModelConfig } from './kserve-v2/ft-t5/model-config.js';
export { decodeInferRequest } from './kserve-v2/decode-infer-request.js';
export type { KServeV2DecodedInferRequest } from './kserve-v2/decode-infer-request.js';
export { encodeInferResponse } from './kserve-v2/encode-infer-response.js';
export { encodeInferRequest } from './kserve-v2/encode-infer-request.js';
export type { KServeV2OutgoingInferRequest } from './kserve-v2/encode-infer-request.js';
export { decodeInferResponse } from './kserve-v2/decode-infer-response.js';
export type { KServeV2DecodedInferResponse } from './kserve-v2/decode-infer-response.js';
export type { GenerationSettings } from './generation-settings.js';
export {
  FT_T5_MODEL_NAME,
  FT_T5_SPECIAL_IDS,
  FT_T5_DEFAULTS,
  FT_T5_SCALAR_INPUTS,
  FT_T5_UNSUPPORTED_INPUTS,
  FT_T5_OUTPUTS,
  ftT5ModelMetadata,
} from './kserve-v2/ft-t5/contract.js';
export { ftRowFromSettings, ftRowToGenerationSettings } from './kserve-v2/ft-t5/row.js';
export type { FtT5Row, ResolvedSettings } from './kserve-v2/ft-t5/row.js';
export { parseFtT5Inputs } from './kserve-v2/ft-t5/parse-inputs.js';
export { buildFtT5Outputs } from './kserve-v2/ft-t5/outputs.js';
export type { FtT5Beam, BuildFtT5OutputsOptions } from './kserve-v2/ft-t5/outputs.js';
export { buildFtT5Request, parseFtT5Reply } from './kserve-v2/ft-t5/client.js';
export type { BuildFtT5RequestOptions, ParseFtT5ReplyOptions, FtT5ReplyBeam } from './kserve-v2/ft-t5/client.js';
export { hfSettingsSchema, hfSettingsToGenerationSettings } from './hf-settings.js';
export type { HfSettings } from './hf-settings.js';
export { parseVertexPredictRequest, vertexPredictRequestSchema, vertexPredictResponse } from './vertex.js';
export type { VertexPredictResponseV1, VertexPrediction, VertexMetricsEntry, VertexTimingsMs } from './vertex.js';
export { parseTgiGenerateRequest, tgiValidationError } from './tgi/generate-request.js';
export type { TgiGenerateRequest } from './tgi/generate-request.js';
export { tgiFinishReason, tgiStreamEvent } from './tgi/generate-response.js';
export type {
  TgiFinishReason,
  TgiToken,
  TgiPrefillToken,
  TgiDetails,
  TgiGenerateResponseV1,
  TgiStreamDetails,
  TgiStreamEventV1,
  TgiErrorBody,
} from './tgi/generate-response.js';
export { parseOpenAiCompletionRequest } from './openai/completion-request.js';
export type { OpenAiCompletionRequest } from './openai/completion-request.js';
export { openAiCompletion, openAiFinishReason, OPENAI_STREAM_DONE } from './openai/completion-response.js';
export type {
  OpenAiCompletionResponseV1,
  OpenAiCompletionChoice,
  OpenAiCompletionParts,
  OpenAiFinishReason,
  OpenAiLogprobs,
  OpenAiUsage,
  OpenAiErrorBody,
} from './openai/completion-response.js';
export { renderNumber } from './zod-error.js';
export { parseJsonText } from './json-text.js';
export { errorBody, errorResponse } from './error-body.js';
export { MAX_JSON_DEPTH } from './json-depth.js';
export { formatSse, formatSseComment, parseSse, SSE_HEADERS } from './sse.js';
export type { SseEvent } from './sse.js';
