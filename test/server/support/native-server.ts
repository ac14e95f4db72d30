// Starts the real server with the native backend on a model directory, listening on a loopback port.
import { loadNativeBackend } from '../../../src/engine/index.js';
import { createServer, type LlmDeployServer } from '../../../src/server/index.js';
import { loadTokenizer } from '../../../src/tokenizer/index.js';

/** A listening server whose model has loaded, and its base URL. */
export async function startNativeServer(modelDir: string): Promise<{ server: LlmDeployServer; base: string }> {
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    backend: loadNativeBackend({ modelDir, settings: { threads: 1 } }),
    tokenizer: loadTokenizer(modelDir),
    logger: false,
  });
  const base = await server.listen();
  await server.modelLoaded;
  return { server, base };
}
