import { LlmDeployError } from '../../config/index.js';

/** A generation setting that is out of range or contradicts another one (the caller's fault). */
export function paramsInvalid(field: string, given: unknown, expected: string): LlmDeployError {
  return new LlmDeployError('invalid generation parameter', {
    code: 'ENGINE_PARAMS_INVALID',
    httpStatus: 400,
    field,
    given: typeof given === 'string' ? JSON.stringify(given) : String(given),
    expected,
  });
}

/** The prompt ids cannot be generated from (empty, too long, or outside the vocabulary). */
export function inputInvalid(given: string, expected: string): LlmDeployError {
  return new LlmDeployError('invalid prompt token ids', {
    code: 'ENGINE_INPUT_INVALID',
    httpStatus: 400,
    field: 'inputIds',
    given,
    expected,
  });
}

/** The engine was asked to load without enough to load from (a programming error of the caller). */
export function optionsInvalid(field: string, expected: string): LlmDeployError {
  return new LlmDeployError('the native backend cannot load', { code: 'ENGINE_OPTIONS_INVALID', field, expected });
}
