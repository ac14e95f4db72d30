import { LlmDeployError } from '../config/index.js';

/** Thrown by commands whose capability is not built yet: they fail, never fake success. */
export function notImplemented(command: string): never {
  throw new LlmDeployError(`'llm-deploy ${command}' is not implemented yet`, {
    code: 'CLI_NOT_IMPLEMENTED',
    httpStatus: 501,
  });
}
