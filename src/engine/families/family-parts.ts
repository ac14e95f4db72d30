/** What the family entries share: their errors, the token ids they take from config.json, and the weight handling of their openers. */
import { LlmDeployError } from '../../config/index.js';
import type { ModelConfig, ModelDirectory, WeightStore } from '../../model/index.js';
import type { FamilySpecialTokens } from './model-family.js';

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

/** The token ids config.json names (every family reads the same fields). */
export function configSpecialTokens(config: ModelConfig): FamilySpecialTokens {
  return { decoderStartTokenId: config.decoderStartTokenId, eosTokenId: config.eosTokenId, padTokenId: config.padTokenId };
}
