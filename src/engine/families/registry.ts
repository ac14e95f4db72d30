/** The model families the engine knows, looked up by config.json's `model_type` and `architectures`. */
import { LlmDeployError } from '../../config/index.js';
import type { ModelConfig } from '../../model/index.js';
import { BART_FAMILY } from './bart.js';
import { GPT2_FAMILY } from './gpt2.js';
import { LLAMA_FAMILY } from './llama.js';
import { MARIAN_FAMILY } from './marian.js';
import type { ModelFamily } from './model-family.js';
import { PHI_FAMILY } from './phi.js';
import { T5_FAMILY } from './t5.js';

/** Every supported family. */
export const MODEL_FAMILIES: readonly ModelFamily[] = [T5_FAMILY, BART_FAMILY, MARIAN_FAMILY, LLAMA_FAMILY, PHI_FAMILY, GPT2_FAMILY];

function served(): string {
  return MODEL_FAMILIES.map((family) => `${family.name} (model_type ${family.modelTypes.join(', ')})`).join('; ');
}

/** The family serving `modelType`, or undefined when none does. */
export function familyServing(modelType: string): ModelFamily | undefined {
  return MODEL_FAMILIES.find((candidate) => candidate.modelTypes.includes(modelType));
}

/** The family serving `modelType`; ENGINE_MODEL_UNSUPPORTED (400) naming the served families when none does. */
export function familyForModelType(modelType: string): ModelFamily {
  const family = familyServing(modelType);
  if (family === undefined) {
    throw new LlmDeployError('unsupported model type', {
      code: 'ENGINE_MODEL_UNSUPPORTED',
      httpStatus: 400,
      field: 'model_type',
      given: JSON.stringify(modelType),
      expected: `one of the served families: ${served()}`,
    });
  }
  return family;
}

/**
 * The family of a checkpoint's config: by `model_type`, then its `architectures` (when config.json lists
 * any) must include a class the family serves, e.g. `LlamaForCausalLM` but not `LlamaForSequenceClassification`.
 */
export function familyForConfig(config: ModelConfig): ModelFamily {
  const family = familyForModelType(config.modelType);
  const listed = config.raw['architectures'];
  const names = Array.isArray(listed) ? listed.filter((name): name is string => typeof name === 'string') : [];
  if (names.length > 0 && !names.some((name) => family.architectures.includes(name))) {
    throw new LlmDeployError('unsupported model architecture', {
      code: 'ENGINE_MODEL_UNSUPPORTED',
      httpStatus: 400,
      field: 'architectures',
      given: JSON.stringify(names),
      expected: `one of ${MODEL_FAMILIES.flatMap((candidate) => candidate.architectures).join(', ')}`,
    });
  }
  return family;
}
