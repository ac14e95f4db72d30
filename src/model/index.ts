export { DENSE_ACTIVATIONS, parseFeedForwardProj, readT5Config, t5ConfigJsonSchema, T5_MODEL_TYPES } from './t5-config.js';
export type { DenseActFn, FeedForwardProj, T5Config, T5ModelType } from './t5-config.js';
export { defaultGenerationConfig, readGenerationConfig } from './generation-config.js';
export type { DecodingChoices, GenerationConfig, GenerationModelFacts, GenerationTokenIds } from './generation-config.js';
export { openWeights, parameterCount } from './weight-store.js';
export type { WeightStore } from './weight-store.js';
export { expectedT5Tensors } from './expected-tensors.js';
export { writeSafetensors } from './safetensors-writer.js';
export type { SafetensorsData, SafetensorsTensorInput } from './safetensors-writer.js';
export { floatToHalfBits } from './dtype.js';
export type { FloatDtype } from './dtype.js';
export { boundedFacts } from './errors.js';
export type { ModelErrorCode } from './errors.js';
export { FT_FEED_FORWARD_PROJECTIONS } from './fastertransformer/config-from-ini.js';
export { fasterTransformerWeights, ftWeightFiles, ftRankShape } from './fastertransformer/ft-tensors.js';
export type { FtTransform, FtWeight } from './fastertransformer/ft-tensors.js';
export { transpose2d, splitAxis, concatAxis } from './fastertransformer/tensor-ops.js';
export { openFasterTransformerWeights } from './fastertransformer/ft-weight-store.js';
export type { FtLayoutInfo } from './fastertransformer/ft-weight-store.js';
export {
  detectModelLayout,
  checkCompletionMarker,
  isBartConfig,
  isCausalConfig,
  openModelDirectory,
  ONNX_MANIFESTS,
  SERVED_MODEL_TYPES,
} from './layout.js';
export type { ModelConfig, ModelLayout, ModelDirectory } from './layout.js';
export { CAUSAL_MODEL_TYPES, causalConfigFrom, readCausalConfig } from './causal-config.js';
export type { CausalConfig, RopeScaling } from './causal-config.js';
export { expectedCausalTensors, openCausalWeights } from './causal-weights.js';
export { MODEL_FILE_LIMITS, entryExists, openModelFileSync, readModelFile } from './model-file.js';
export type { OpenedModelFile, ReadModelFileOptions } from './model-file.js';
export { MAX_JSON_DEPTH, jsonDepthOverflow } from './json-depth.js';
export { readJsonFile } from './json-file.js';
export type { ReadJsonFileOptions } from './json-file.js';
export { BART_LAYOUT_MODEL_TYPES, BART_MODEL_TYPES, bartConfigFrom, MARIAN_MODEL_TYPES, readBartConfig } from './bart-config.js';
export type { BartConfig, PositionEmbedding } from './bart-config.js';
export { BART_EMBEDDING, bartEmbeddingName, expectedBartTensors, openBartWeights } from './bart-weights.js';
