import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { defaultGenerationConfig } from '../model/index.js';
import { paramsFromGenerationConfig } from './generation/defaults.js';
import { createOpenAiEngineBackend } from './openai-engine-backend.js';

const defaults = paramsFromGenerationConfig(defaultGenerationConfig({ decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 }));
const hasCode = (code: string) => (error: unknown) => LlmDeployError.isInstance(error) && error.code === code;

// An engine that never answers a completion (the request stays open) and counts what it was asked.
describe('createOpenAiEngineBackend (an engine that holds every request open)', () => {
  let server: Server;
  let url = '';
  const paths: string[] = [];
  before(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      if (request.url === '/health') response.writeHead(200).end();
      // completions: never answered
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const backend = (maxQueue = 4) =>
    createOpenAiEngineBackend({
      kind: 'vllm',
      url,
      architecture: 'decoder-only',
      engineModel: 'm',
      defaults,
      settings: { maxBatchSize: 1, maxQueue, maxInputTokens: 8 },
    });

  it('refuses empty, too long and non-integer prompts before calling the engine', async () => {
    const engine = backend();
    for (const inputIds of [[], [1, 2, 3, 4, 5, 6, 7, 8, 9], [1.5]])
      await assert.rejects(engine.generate({ inputIds }), hasCode('ENGINE_INPUT_INVALID'));
    assert.equal(paths.length, 0);
  });

  it('a signal aborted before the call is ENGINE_CANCELLED; while waiting, it closes the engine request', async () => {
    const engine = backend();
    await assert.rejects(engine.generate({ inputIds: [1], signal: AbortSignal.abort() }), hasCode('ENGINE_CANCELLED'));
    const controller = new AbortController();
    const pending = engine.generate({ inputIds: [1], signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await assert.rejects(pending, hasCode('ENGINE_CANCELLED'));
    assert.equal(engine.stats().activeSequences, 0);
  });

  it('caps requests in flight (maxBatchSize + maxQueue), and close() rejects them with ENGINE_CLOSED', async () => {
    const engine = backend(1);
    const first = engine.generate({ inputIds: [1] });
    const second = engine.generate({ inputIds: [2] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(engine.generate({ inputIds: [3] }), hasCode('ENGINE_QUEUE_FULL'));
    assert.equal(engine.stats().activeSequences, 2);
    await engine.close();
    await assert.rejects(first, hasCode('ENGINE_CLOSED'));
    await assert.rejects(second, hasCode('ENGINE_CLOSED'));
    assert.deepEqual(await engine.health(), { ready: false, reason: 'the engine is shutting down' });
    await assert.rejects(engine.generate({ inputIds: [1] }), hasCode('ENGINE_CLOSED'));
  });

  it('health is the engine /health; an engine that does not listen is not ready, naming it', async () => {
    assert.deepEqual(await backend().health(), { ready: true });
    const gone = createOpenAiEngineBackend({ kind: 'tensorrt-llm', url: 'http://127.0.0.1:9', architecture: 'encoder-decoder', defaults });
    const health = await gone.health();
    assert.equal(health.ready, false);
    assert.match(health.reason ?? '', /TensorRT-LLM not ready/);
    await assert.rejects(gone.generate({ inputIds: [1] }), hasCode('ENGINE_UPSTREAM_UNAVAILABLE'));
  });
});
