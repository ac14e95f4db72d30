// A real server over the native backend and the tokenizer of a model directory, listening on a loopback port.
import { loadNativeBackend } from '../../../src/engine/index.js';
import { createServer, type LlmDeployServer } from '../../../src/server/index.js';
import { loadChatTemplate, loadTokenizer } from '../../../src/tokenizer/index.js';

/** A listening server with its model (and chat template, if any) loaded, and its base URL. */
export async function startNativeServer(
  modelDir: string,
  options: { readonly maxInputTokens?: number } = {},
): Promise<{ readonly server: LlmDeployServer; readonly base: string }> {
  const limits = options.maxInputTokens === undefined ? {} : { maxInputTokens: options.maxInputTokens };
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    backend: loadNativeBackend({ modelDir, settings: { threads: 1, ...limits } }),
    tokenizer: loadTokenizer(modelDir),
    // as `llm-deploy serve` does: the model directory's chat template, where it has one
    chatTemplate: loadChatTemplate(modelDir),
    logger: false,
    ...limits,
  });
  const base = await server.listen();
  await server.modelLoaded;
  return { server, base };
}
