// Wire formats shared by the server's routes and the engine's Triton client.
export { PROTOCOL_ERROR_CODES, protocolError, messageError } from './errors.js';
export type { ProtocolErrorCode, MessageSource, ProtocolErrorOptions } from './errors.js';
export { KSERVE_V2_DATATYPES, DATATYPE_INFO, isKServeV2Datatype, elementCount, tensorByteSize } from './kserve-v2/datatypes.js';
export type { KServeV2Datatype, DatatypeInfo } from './kserve-v2/datatypes.js';
export { createTensor } from './kserve-v2/tensor.js';
export type {
  KServeV2Tensor,
  KServeV2TensorOf,
  KServeV2TensorArrays,
  KServeV2TensorMetadata,
  KServeV2Parameters,
  KServeV2ParameterValue,
} from './kserve-v2/tensor.js';
export { tensorFromJson, tensorToJson } from './kserve-v2/tensor-json.js';
export { tensorFromBinary, tensorToBinary } from './kserve-v2/tensor-binary.js';
export { INFERENCE_HEADER_CONTENT_LENGTH, jsonHeaderSizeFromContentType } from './kserve-v2/binary-framing.js';
export { kserveV2InferRequestSchema } from './kserve-v2/infer-request.js';
export type { KServeV2InferRequest, KServeV2InferRequestInput, KServeV2InferRequestOutput } from './kserve-v2/infer-request.js';
export { kserveV2InferResponseSchema } from './kserve-v2/infer-response.js';
export type { KServeV2InferResponse, KServeV2InferResponseOutput } from './kserve-v2/infer-response.js';
export { kserveV2ModelMetadataSchema, serverMetadata, KSERVE_V2_SERVER_EXTENSIONS } from './kserve-v2/metadata.js';
export { emptyInferenceStats } from './kserve-v2/statistics.js';
export type {
  TritonDurationStat,
  TritonInferenceStats,
  TritonModelStat,
  TritonModelStatsResponseV2,
  TritonRepositoryIndexEntry,
} from './kserve-v2/statistics.js';
export { ftT5ModelConfig } from './kserve-v2/ft-t5/model-config.js';
export type { TritonModelConfigTensor, TritonModelConfigV2 } from './kserve-v2/ft-t5/model-config.js';
export type { KServeV2ModelMetadata, KServeV2ServerMetadata } from './kserve-v2/metadata.js';
export { decodeInferRequest } from './kserve-v2/decode-infer-request.js';
export type { KServeV2DecodedInferRequest, KServeV2RequestedOutput, DecodeInferRequestOptions } from './kserve-v2/decode-infer-request.js';
export { encodeInferResponse, selectOutputs } from './kserve-v2/encode-infer-response.js';
export type { KServeV2InferResult, EncodeInferResponseOptions, EncodedInferMessage } from './kserve-v2/encode-infer-response.js';
export { encodeInferRequest } from './kserve-v2/encode-infer-request.js';
export type { KServeV2OutgoingInferRequest, EncodeInferRequestOptions, EncodedInferRequest } from './kserve-v2/encode-infer-request.js';
export { decodeInferResponse } from './kserve-v2/decode-infer-response.js';
export type { KServeV2DecodedInferResponse } from './kserve-v2/decode-infer-response.js';
export type { GenerationOptions, GenerationParams, OptionFieldName } from './generation-options.js';
export {
  FT_T5_MODEL_NAME,
  FT_T5_SPECIAL_IDS,
  FT_T5_DEFAULTS,
  FT_T5_SCALAR_INPUTS,
  FT_T5_UNSUPPORTED_INPUTS,
  FT_T5_OUTPUTS,
  ftT5ModelMetadata,
} from './kserve-v2/ft-t5/contract.js';
export { ftOptionField, ftRowFromSettings, ftRowToGenerationOptions } from './kserve-v2/ft-t5/row.js';
export type { FtT5Row } from './kserve-v2/ft-t5/row.js';
export { parseFtT5Inputs } from './kserve-v2/ft-t5/parse-inputs.js';
export { buildFtT5Outputs } from './kserve-v2/ft-t5/outputs.js';
export type { FtT5Beam, BuildFtT5OutputsOptions } from './kserve-v2/ft-t5/outputs.js';
export { buildFtT5Request, parseFtT5Reply } from './kserve-v2/ft-t5/client.js';
export type { BuildFtT5RequestOptions, ParseFtT5ReplyOptions, FtT5ReplyBeam } from './kserve-v2/ft-t5/client.js';
export { parseVertexPredictRequest, vertexPredictRequestSchema, vertexPredictResponse } from './vertex.js';
export type {
  VertexInferRequest,
  VertexInstance,
  VertexPredictRequestV1,
  VertexPredictResponseV1,
  VertexPrediction,
  VertexMetricsEntry,
  VertexTimingsMs,
} from './vertex.js';
export { parseTgiGenerateRequest, tgiGenerateRequestSchema, tgiValidationError } from './tgi/generate-request.js';
export type { TgiGenerateRequest, TgiGenerateRequestV1, TgiLimits } from './tgi/generate-request.js';
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
export { parseOpenAiCompletionRequest, openAiCompletionRequestSchema } from './openai/completion-request.js';
export type { OpenAiCompletionRequest, OpenAiCompletionRequestV1, OpenAiLimits } from './openai/completion-request.js';
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
export { errorBody, errorResponse, statusFor, isOverCapacity, OVER_CAPACITY_CODES } from './error-body.js';
export type { ProtocolFamily, ErrorResponse, ErrorResponseOptions } from './error-body.js';
export { checkJsonDepth, jsonDepthOverflow, jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
export { MAX_ERROR_TEXT_CHARS } from './error-body.js';
export { formatSse, formatSseComment, parseSse, SSE_HEADERS } from './sse.js';
export type { SseEvent } from './sse.js';
