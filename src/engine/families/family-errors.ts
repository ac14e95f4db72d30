/** Errors of the family table, and the weight handling every family's opener shares. */
import { LlmDeployError } from '../../config/index.js';
import type { ModelDirectory, WeightStore } from '../../model/index.js';

/** A config handed to a family that does not serve it (a bug in the registry lookup). */
export function familyMismatch(family: string, modelType: string): LlmDeployError {
  return new LlmDeployError('model family does not serve this config', {
    code: 'ENGINE_MODEL_UNSUPPORTED',
    field: 'model_type',
    given: JSON.stringify(modelType),
    expected: `a config of the ${family} family`,
  });
}

/** Opens the checkpoint's weights, builds with them, and closes them (the graphs hold their own copy). */
export async function openWithWeights<T>(model: ModelDirectory, build: (weights: WeightStore) => Promise<T>): Promise<T> {
  const weights = await model.openWeights();
  try {
    return await build(weights);
  } finally {
    weights.close();
  }
}
