import { LlmDeployError } from '../../config/index.js';

/** A runtime call with arguments that break its contract (a bug in the calling engine code). */
export function runtimeInputInvalid(field: string, given: unknown, expected: string): LlmDeployError {
  return new LlmDeployError('invalid T5 runtime call', {
    code: 'ENGINE_RUNTIME_INPUT_INVALID',
    field,
    given: typeof given === 'string' ? given : JSON.stringify(given),
    expected,
  });
}

/** A decoder state or encoded batch that this runtime did not create, or one already released. */
export function stateInvalid(field: string, expected: string): LlmDeployError {
  return new LlmDeployError('unusable decoder state', { code: 'ENGINE_STATE_INVALID', field, expected });
}

/** The runtime was closed. */
export function runtimeClosed(): LlmDeployError {
  return new LlmDeployError('the T5 runtime is closed', { code: 'ENGINE_CLOSED' });
}
