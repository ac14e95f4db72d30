export { LlmDeployError, composeMessage } from './llm-deploy-error.js';
export type { ErrorFacts, LlmDeployErrorOptions } from './llm-deploy-error.js';
