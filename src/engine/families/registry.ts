/** The model families the engine knows, looked up by config.json's `model_type`. */
import { LlmDeployError } from '../../config/index.js';
import type { ModelFamily } from './model-family.js';
import { T5_FAMILY } from './t5.js';

/** Every supported family. */
export const MODEL_FAMILIES: readonly ModelFamily[] = [T5_FAMILY];

/** The family serving `modelType`; ENGINE_MODEL_UNSUPPORTED (400) when none does. */
export function familyForModelType(modelType: string): ModelFamily {
  const family = MODEL_FAMILIES.find((candidate) => candidate.modelTypes.includes(modelType));
  if (family === undefined) {
    throw new LlmDeployError('unsupported model type', {
      code: 'ENGINE_MODEL_UNSUPPORTED',
      httpStatus: 400,
      field: 'model_type',
      given: JSON.stringify(modelType),
      expected: `one of ${MODEL_FAMILIES.flatMap((candidate) => candidate.modelTypes).join(', ')}`,
    });
  }
  return family;
}
