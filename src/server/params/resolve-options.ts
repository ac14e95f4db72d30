/** The server's side of the one resolve step: the served model's defaults and the server's new-token cap. */
import { resolveGenerationParams, type GenerationOptions, type GenerationParams } from '../../engine/index.js';
import type { OptionFieldName } from '../../protocol/index.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';

/**
 * A caller's options as the engine will decode them; a refusal is a 400 naming the caller's field.
 * @example resolveOptions(runtime, model, { maxNewTokens: 32 }, (option) => `parameters.${option}`)
 */
export function resolveOptions(
  runtime: ServerRuntime,
  model: LoadedModel,
  options: GenerationOptions,
  fieldName: OptionFieldName,
): GenerationParams {
  return resolveGenerationParams(model.backend.info.defaults, options, { maxNewTokensCap: runtime.options.maxNewTokensCap, fieldName });
}
