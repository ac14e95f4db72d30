// Triton mode: `/v2/...` is forwarded unchanged to the Triton URL. A second llm-deploy server,
// running natively, plays Triton (same KServe v2 protocol); then "Triton" goes away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTensor, decodeInferResponse, encodeInferRequest } from '../../src/protocol/index.js';
import { createTritonBackend } from '../../src/engine/index.js';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { makeServer } from './support/make-server.js';

const tokenizer = charTokenizer();

describe('triton mode: /v2 proxied to a KServe v2 server', () => {
  let triton: LlmDeployServer;
  let tritonUrl: string;
  let front: LlmDeployServer;
  let frontUrl: string;
  before(async () => {
    triton = (await makeServer()).server;
    tritonUrl = await triton.listen();
    front = createServer({
      host: '127.0.0.1',
      port: 0,
      tritonUrl,
      apiKey: 'front-key',
      backend: createTritonBackend({ url: tritonUrl, healthTimeoutMs: 1000 }),
      tokenizer,
      logger: false,
    });
    await front.modelLoaded;
    frontUrl = await front.listen();
  });
  after(async () => {
    await front.close();
    await triton.close();
  });
  const auth = { authorization: 'Bearer front-key' };

  it('forwards metadata, health and binary infer requests unchanged', async () => {
    const meta = await fetch(`${frontUrl}/v2`, { headers: auth });
    assert.equal(meta.status, 200);
    assert.equal(((await meta.json()) as { name: string }).name, 'llm-deploy');
    const live = await fetch(`${frontUrl}/v2/health/live`);
    assert.equal(live.status, 200);
    const ids = tokenizer.encode('triton');
    const { body, headers } = encodeInferRequest({
      inputs: [
        createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [1, ids.length] }, Uint32Array.from(ids)),
        createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(ids.length)),
        createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(20)),
      ],
      outputs: [{ name: 'output_ids', binaryData: true }, { name: 'sequence_length' }],
    });
    const response = await fetch(`${frontUrl}/v2/models/fastertransformer/infer`, {
      method: 'POST',
      headers: { ...headers, ...auth },
      body: new Uint8Array(body),
    });
    assert.equal(response.status, 200);
    const decoded = decodeInferResponse(
      new Uint8Array(await response.arrayBuffer()),
      response.headers.get('inference-header-content-length') ?? undefined,
    );
    const output = decoded.outputs.find((tensor) => tensor.name === 'output_ids');
    assert.equal(tokenizer.decode([...(output?.data as Uint32Array)], { skipSpecialTokens: true }), 'notirt');
  });

  it('serves /infer, /generate and readiness through the Triton backend', async () => {
    const ready = await fetch(`${frontUrl}/health/ready`);
    assert.equal(ready.status, 200);
    const infer = await fetch(`${frontUrl}/infer`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: ['hello', 'triton'], parameters: { max_new_tokens: 10 } }),
    });
    assert.equal(infer.status, 200);
    assert.deepEqual(await infer.json(), { predictions: ['olleh', 'notirt'] });
    const generate = await fetch(`${frontUrl}/generate`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: 'abc' }),
    });
    assert.deepEqual(await generate.json(), { generated_text: 'cba' });
  });

  it("passes Triton's own errors through (status and body)", async () => {
    const response = await fetch(`${frontUrl}/v2/models/other`, { headers: auth });
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: string }).error, /model 'other' not found/);
  });

  it('still requires the API key for proxied routes except /v2/health', async () => {
    const response = await fetch(`${frontUrl}/v2/models/fastertransformer`);
    assert.equal(response.status, 401);
  });

  it('answers 503 with a clear message when Triton is down', async () => {
    await triton.close();
    const response = await fetch(`${frontUrl}/v2/models/fastertransformer`, { headers: auth });
    assert.equal(response.status, 503);
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /Triton server at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    const ready = await fetch(`${frontUrl}/v2/health/ready`);
    assert.equal(ready.status, 503);
    const ownReady = await fetch(`${frontUrl}/health/ready`);
    assert.equal(ownReady.status, 503);
    assert.match(((await ownReady.json()) as { error: string }).error, /Triton|127\.0\.0\.1/);
    const infer = await fetch(`${frontUrl}/infer`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: ['a'] }),
    });
    assert.equal(infer.status, 503);
    assert.match(((await infer.json()) as { error: string }).error, /Triton server at http:\/\/127\.0\.0\.1:\d+ is unavailable/);
  });
});
