import { LlmDeployError, type ErrorFacts } from '../config/index.js';

/** Error codes raised while reading a model directory. */
export type ModelErrorCode =
  | 'MODEL_FILE_MISSING'
  | 'MODEL_CONFIG_INVALID'
  | 'MODEL_UNSUPPORTED'
  | 'MODEL_WEIGHTS_INVALID'
  | 'MODEL_TENSOR_MISSING'
  | 'MODEL_TENSOR_SHAPE'
  | 'MODEL_DTYPE_UNSUPPORTED'
  | 'MODEL_PICKLE_UNSAFE'
  | 'MODEL_PICKLE_UNEXPECTED';

/** Facts for {@link modelError}; `file` is the file the problem was found in. */
export type ModelErrorFacts = ErrorFacts & { readonly cause?: unknown };

/** One constructor for every model error, so each carries its facts as fields. */
export function modelError(code: ModelErrorCode, summary: string, facts: ModelErrorFacts = {}): LlmDeployError {
  return new LlmDeployError(summary, { code, ...facts });
}

/** A required file of the model directory is absent or unreadable. */
export function fileMissing(file: string, expected: string, cause?: unknown): LlmDeployError {
  return modelError('MODEL_FILE_MISSING', 'model file is missing or unreadable', {
    file,
    expected,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A weight file whose bytes do not hold what its format promises. */
export function weightsInvalid(file: string, summary: string, facts: Omit<ModelErrorFacts, 'file'> = {}): LlmDeployError {
  return modelError('MODEL_WEIGHTS_INVALID', summary, { file, ...facts });
}

/** Renders a value for an error message: JSON, shortened. */
export function renderValue(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Renders a tensor shape as `[a, b]`. */
export function renderShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
