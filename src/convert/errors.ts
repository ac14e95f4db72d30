import { errorFactory, type ErrorFactoryFacts } from '../config/index.js';

/** Error codes raised while converting a checkpoint. */
export type ConvertErrorCode =
  | 'CONVERT_TARGET_UNSUPPORTED'
  | 'CONVERT_OPTION_INVALID'
  | 'CONVERT_TENSOR_PARALLEL_INVALID'
  | 'CONVERT_DESTINATION_NOT_EMPTY'
  | 'CONVERT_SOURCE_UNREADABLE'
  | 'CONVERT_MODEL_UNSUPPORTED'
  | 'CONVERT_TENSOR_MISSING'
  | 'CONVERT_WRITE_FAILED'
  | 'CONVERT_VERIFY_FAILED';

/** Facts for {@link convertError}. */
export type ConvertErrorFacts = ErrorFactoryFacts;

/** One constructor for every conversion error, so each carries its facts as fields. */
export const convertError = errorFactory<ConvertErrorCode>();
