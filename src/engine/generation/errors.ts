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
