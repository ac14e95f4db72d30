// The predict server: HTTP routes over the engine's Backend interface.
export { createServer } from './create-server.js';
export type { CreateServerOptions, LlmDeployServer, ServerLogger } from './create-server.js';
export { DEFAULT_SERVER_OPTIONS, resolveServerOptions, serverOptionsSchema } from './settings.js';
export type { InputTruncation, ServerOptions, ServerOptionsInput } from './settings.js';
export type { TextTokenizer } from './text-tokenizer.js';
export { KSERVE_MODEL_NAME } from './routes/kserve-v2.js';
