// What each route answers for a decoder-only model (prompt + continuation or continuation only), over
// HTTP (app.inject). The model is a test double whose `info.architecture` is 'decoder-only' and which
// answers fixed new ids; the decode uses the real demo T5 SentencePiece tokenizer, so the assertions
// are about the routes' translation, not about any model.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { makeServer } from './support/make-server.js';
import { TestBackend } from './support/test-backend.js';
import { sseEvents } from './support/sse-events.js';

const DEMO_DIR = fileURLToPath(new URL('../../models/demo-t5', import.meta.url));
const PROMPT = 'The house is';
const CONTINUATION = 'wonderful today.';

async function serverFor(architecture: 'encoder-decoder' | 'decoder-only'): Promise<LlmDeployServer> {
  const tokenizer = await loadTokenizer(DEMO_DIR);
  // the continuation's ids without the tokenizer's trailing `</s>`; the double appends `</s>` itself
  const newTokenIds = tokenizer.encode(CONTINUATION).slice(0, -1);
  const backend = new TestBackend({ architecture, newTokenIds, tokenDelayMs: -1 });
  const server = createServer({ host: '127.0.0.1', port: 0, backend, tokenizer, logger: false });
  await server.modelLoaded;
  return server;
}

/** Starts a server for the suite it is called in, and answers a JSON POST through it. */
function servedFor(architecture: 'encoder-decoder' | 'decoder-only'): (url: string, payload: unknown) => Promise<LightMyRequestResponse> {
  let server: LlmDeployServer | undefined;
  before(async () => {
    server = await serverFor(architecture);
  });
  after(() => server?.close());
  return (url, payload) => {
    if (server === undefined) throw new Error('server not started');
    return server.app.inject({ method: 'POST', url, payload: payload as object });
  };
}

describe('routes for a decoder-only model', () => {
  const post = servedFor('decoder-only');

  it('/infer answers prompt and continuation decoded together, as Hugging Face generate + decode did', async () => {
    const response = await post('/infer', { instances: [PROMPT] });
    assert.equal(response.statusCode, 200, response.body);
    // decoded in one go the SentencePiece word boundary gives the space that joining two decoded strings would lose
    assert.deepEqual(response.json(), { predictions: [`${PROMPT} ${CONTINUATION}`] });
  });

  it('/infer with return_full_text false answers only the continuation, in config, parameters or an instance', async () => {
    for (const payload of [
      { instances: [PROMPT], config: { return_full_text: false } },
      { instances: [PROMPT], parameters: { return_full_text: false, max_new_tokens: 30 } },
      { instances: [{ inputs: PROMPT, parameters: { return_full_text: false } }], parameters: { return_full_text: true } },
    ]) {
      const response = await post('/infer', payload);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { predictions: [CONTINUATION] }, JSON.stringify(payload));
    }
    const mixed = await post('/infer', {
      instances: [PROMPT, { inputs: PROMPT, parameters: { return_full_text: true } }],
      config: { return_full_text: false },
    });
    assert.deepEqual(mixed.json(), { predictions: [CONTINUATION, `${PROMPT} ${CONTINUATION}`] });
  });

  it('/infer refuses a return_full_text that is not a boolean', async () => {
    const response = await post('/infer', { instances: [PROMPT], config: { return_full_text: 'no' } });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error, /config\.return_full_text/);
  });

  it('TGI /generate answers the continuation; return_full_text true puts the prompt text before it, as TGI does', async () => {
    const plain = await post('/generate', { inputs: `${PROMPT} ` });
    assert.deepEqual(plain.json(), { generated_text: CONTINUATION });
    const full = await post('/generate', { inputs: `${PROMPT} `, parameters: { return_full_text: true } });
    assert.deepEqual(full.json(), { generated_text: `${PROMPT} ${CONTINUATION}` });
    const off = await post('/generate', { inputs: `${PROMPT} `, parameters: { return_full_text: false, details: true } });
    assert.equal(off.json().generated_text, CONTINUATION);
  });

  it('TGI /generate_stream: tokens are the continuation, the final generated_text holds the prompt with return_full_text', async () => {
    const response = await post('/generate_stream', { inputs: `${PROMPT} `, parameters: { return_full_text: true } });
    const events = sseEvents(response.body) as { token: { text: string }; generated_text: string | null }[];
    assert.equal(events.map((event) => event.token.text).join(''), CONTINUATION);
    assert.equal(events.at(-1)?.generated_text, `${PROMPT} ${CONTINUATION}`);
    const plain = sseEvents((await post('/generate_stream', { inputs: `${PROMPT} ` })).body) as { generated_text: string | null }[];
    assert.equal(plain.at(-1)?.generated_text, CONTINUATION);
  });

  it('OpenAI /v1/completions answers the continuation, and echo puts the prompt before it', async () => {
    const plain = await post('/v1/completions', { prompt: `${PROMPT} `, max_tokens: 30 });
    assert.equal(plain.json().choices[0].text, CONTINUATION);
    const echoed = await post('/v1/completions', { prompt: [`${PROMPT} `, 'A'], max_tokens: 30, echo: true });
    assert.equal(echoed.statusCode, 200, echoed.body);
    assert.deepEqual(
      echoed.json().choices.map((choice: { text: string }) => choice.text),
      [`${PROMPT} ${CONTINUATION}`, `A${CONTINUATION}`],
    );
  });

  it('OpenAI streaming with echo sends the prompt first, then the continuation', async () => {
    const response = await post('/v1/completions', { prompt: `${PROMPT} `, max_tokens: 30, echo: true, stream: true });
    const chunks = sseEvents(response.body).filter((event) => event !== '[DONE]') as { choices: { text: string }[] }[];
    assert.equal(chunks[0]?.choices[0]?.text, `${PROMPT} `);
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.text ?? '').join(''), `${PROMPT} ${CONTINUATION}`);
  });

  it('KServe generate answers prompt + continuation, or the continuation with exclude_input_in_output', async () => {
    const full = await post('/v2/models/fastertransformer/generate', { id: '7', text_input: `${PROMPT} `, parameters: { max_tokens: 30 } });
    assert.equal(full.statusCode, 200, full.body);
    assert.deepEqual(full.json(), {
      id: '7',
      model_name: 'fastertransformer',
      model_version: '1',
      text_output: `${PROMPT} ${CONTINUATION}`,
    });
    const own = await post('/v2/models/test-model/generate', { text_input: `${PROMPT} `, exclude_input_in_output: true });
    assert.deepEqual(own.json(), { model_name: 'test-model', model_version: '1', text_output: CONTINUATION });
  });

  it('KServe generate_stream streams the continuation and refuses exclude_input_in_output false', async () => {
    const response = await post('/v2/models/fastertransformer/generate_stream', { text_input: PROMPT, parameters: { max_tokens: 30 } });
    assert.equal(response.statusCode, 200, response.body);
    const events = sseEvents(response.body) as { text_output: string }[];
    assert.ok(events.length > 1, response.body);
    assert.equal(events.map((event) => event.text_output).join(''), CONTINUATION);
    const refused = await post('/v2/models/fastertransformer/generate_stream', { text_input: PROMPT, exclude_input_in_output: false });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().error, /exclude_input_in_output/);
  });

  it('KServe fastertransformer/infer is refused with a 400 that points at the generate extension', async () => {
    const response = await post('/v2/models/fastertransformer/infer', {
      inputs: [{ name: 'input_ids', shape: [1, 2], datatype: 'UINT32', data: [5, 1] }],
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.deepEqual(Object.keys(response.json()), ['error']);
    assert.match(response.json().error, /encoder-decoder \(T5\) models only/);
    assert.match(response.json().error, /\/v2\/models\/fastertransformer\/generate/);
  });
});

describe('the same routes for an encoder-decoder model', () => {
  const post = servedFor('encoder-decoder');

  it('/infer accepts return_full_text and answers the output alone either way (it never holds the prompt)', async () => {
    for (const config of [{}, { return_full_text: true }, { return_full_text: false }]) {
      const response = await post('/infer', { instances: [PROMPT], config });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { predictions: [CONTINUATION] });
    }
  });

  it("TGI's return_full_text puts the inputs string first for every model, as TGI's router does", async () => {
    const response = await post('/generate', { inputs: `${PROMPT} `, parameters: { return_full_text: true } });
    assert.deepEqual(response.json(), { generated_text: `${PROMPT} ${CONTINUATION}` });
  });

  it('KServe generate answers the output alone, exclude_input_in_output changing nothing', async () => {
    for (const extra of [{}, { exclude_input_in_output: false }, { exclude_input_in_output: true }]) {
      const response = await post('/v2/models/fastertransformer/generate', { text_input: PROMPT, ...extra });
      assert.equal(response.json().text_output, CONTINUATION, response.body);
    }
  });
});

describe('generate extension framing', () => {
  it('an error after generate_stream opened is a data: {"error"} event on the 200 stream, as the extension says', async () => {
    const { server } = await makeServer({ requestTimeoutMs: 1500 }, { tokenDelayMs: 50 });
    try {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/models/fastertransformer/generate_stream',
        payload: { text_input: 'a prompt that takes the test backend seconds to reverse', max_tokens: 60 },
      });
      assert.equal(response.statusCode, 200);
      const events = sseEvents(response.body) as Record<string, unknown>[];
      assert.ok(events.length > 1, response.body);
      assert.ok(
        events.slice(0, -1).every((event) => typeof event.text_output === 'string'),
        response.body,
      );
      assert.deepEqual(Object.keys(events.at(-1) ?? {}), ['error']);
      assert.match(String(events.at(-1)?.error), /did not finish within 1500 ms/);
    } finally {
      await server.close();
    }
  });

  it('hostile bodies are 400s in the {"error"} shape: prototype keys, deep nesting, a non-object', async () => {
    const { server } = await makeServer();
    try {
      for (const payload of ['{"text_input": "a", "__proto__": {"max_tokens": 1}}', `${'['.repeat(5000)}${']'.repeat(5000)}`, '"text"']) {
        const response = await server.app.inject({ method: 'POST', url: '/v2/models/fastertransformer/generate', payload });
        assert.equal(response.statusCode, 400, payload.slice(0, 40));
        assert.deepEqual(Object.keys(response.json()), ['error']);
      }
    } finally {
      await server.close();
    }
  });
});
