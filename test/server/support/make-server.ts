// Builds a server over the test backend and the character tokenizer, silent, for app.inject tests.
import { createServer, type LlmDeployServer, type ServerOptionsInput } from '../../../src/server/index.js';
import { charTokenizer } from './char-tokenizer.js';
import { TestBackend, type TestBackendOptions } from './test-backend.js';

/** A server and its backend. */
export interface TestServer {
  readonly server: LlmDeployServer;
  readonly backend: TestBackend;
}

/** Creates a server whose model is already loaded. */
export async function makeServer(options: ServerOptionsInput = {}, backendOptions: TestBackendOptions = {}): Promise<TestServer> {
  const backend = new TestBackend(backendOptions);
  const server = createServer({ port: 0, host: '127.0.0.1', ...options, backend, tokenizer: charTokenizer(), logger: false });
  await server.modelLoaded;
  return { server, backend };
}

/** The prompt reversed: what the test backend answers. */
export function reversed(text: string): string {
  return [...text].reverse().join('');
}
