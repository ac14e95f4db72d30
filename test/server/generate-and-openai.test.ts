// TGI /generate, /generate_stream and OpenAI /v1/completions over HTTP (app.inject), test backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeServer, reversed, type TestServer } from './support/make-server.js';
import { sseEvents } from './support/sse-events.js';

describe('TGI routes', () => {
  let test: TestServer;
  before(async () => {
    test = await makeServer({ maxNewTokensCap: 50 });
  });
  after(() => test.server.close());
  const post = (url: string, payload: unknown) => test.server.app.inject({ method: 'POST', url, payload: payload as object });

  it('POST /generate answers generated_text and timing headers', async () => {
    const response = await post('/generate', { inputs: 'hello', parameters: { max_new_tokens: 10 } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { generated_text: reversed('hello') });
    assert.equal(response.headers['x-prompt-tokens'], '6');
    assert.equal(response.headers['x-generated-tokens'], '6');
    assert.equal(response.headers['x-compute-type'], 'test');
  });

  it('POST /generate with details lists the tokens and the finish reason', async () => {
    const response = await post('/generate', {
      inputs: 'abc',
      parameters: { details: true, max_new_tokens: 2, decoder_input_details: true },
    });
    const body = response.json();
    assert.equal(body.generated_text, 'cb');
    assert.equal(body.details.finish_reason, 'length');
    assert.equal(body.details.generated_tokens, 2);
    assert.deepEqual(
      body.details.tokens.map((token: { text: string; special: boolean; logprob: number }) => [token.text, token.special, token.logprob]),
      [
        ['c', false, -0.5],
        ['b', false, -0.5],
      ],
    );
    assert.equal(body.details.prefill.length, 4);
  });

  it('maps sampling settings as TGI does', async () => {
    await post('/generate', { inputs: 'a', parameters: { temperature: 0.5, top_k: 5, seed: 7 } });
    const params = test.backend.requests.at(-1)?.params;
    assert.equal(params?.doSample, true);
    assert.equal(params?.temperature, 0.5);
    assert.equal(params?.topK, 5);
    assert.equal(params?.seed, 7);
  });

  const invalid: [unknown, RegExp][] = [
    [{ inputs: '' }, /`inputs` cannot be empty/],
    [{ inputs: 5 }, /inputs/],
    [{}, /inputs/],
    [{ inputs: 'a', parameters: { temperature: -1 } }, /`temperature` must be positive, or 0 for greedy decoding/],
    [{ inputs: 'a', parameters: { top_p: 1 } }, /`top_p` must be > 0.0 and < 1.0/],
    [{ inputs: 'a', parameters: { top_k: 0 } }, /`top_k` must be strictly positive/],
    [{ inputs: 'a', parameters: { max_new_tokens: 0 } }, /`max_new_tokens` must be strictly positive/],
    [{ inputs: 'a', parameters: { max_new_tokens: 51 } }, /max_new_tokens/],
    [{ inputs: 'a', parameters: { best_of: 2 } }, /best_of/],
    [{ inputs: 'a', parameters: { stop: ['a', 'b', 'c', 'd', 'e'] } }, /`stop` supports up to 4 stop sequences/],
    [{ inputs: 'a', parameters: { max_new_tokens: 'many' } }, /parameters.max_new_tokens/],
  ];
  for (const [payload, message] of invalid) {
    it(`422 validation for ${JSON.stringify(payload)}`, async () => {
      const response = await post('/generate', payload);
      assert.equal(response.statusCode, 422, response.body);
      assert.equal(response.json().error_type, 'validation');
      assert.match(response.json().error, message);
    });
  }

  it('POST /generate_stream sends one event per token, the last with the text and details', async () => {
    const response = await post('/generate_stream', { inputs: 'abc', parameters: { max_new_tokens: 10 } });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const events = sseEvents(response.body) as {
      index: number;
      token: { id: number; text: string };
      generated_text: string | null;
      details: { finish_reason: string } | null;
    }[];
    assert.deepEqual(
      events.map((event) => event.token.text),
      ['c', 'b', 'a', ''],
    );
    assert.deepEqual(
      events.map((event) => event.index),
      [0, 1, 2, 3],
    );
    assert.equal(events.at(-1)?.generated_text, 'cba');
    assert.equal(events.at(-1)?.details?.finish_reason, 'eos_token');
    assert.ok(events.slice(0, -1).every((event) => event.generated_text === null && event.details === null));
  });

  it('stops at a stop sequence (included, as TGI does) and cancels the generation', async () => {
    const response = await post('/generate', { inputs: 'abcdefgh', parameters: { stop: ['zz', 'fe'], details: true } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().generated_text, 'hgfe');
    assert.equal(response.json().details.finish_reason, 'stop_sequence');
    assert.equal(response.json().details.generated_tokens, 4);
    const stream = await post('/generate_stream', { inputs: 'abcdefgh', parameters: { stop: ['fe'] } });
    const events = sseEvents(stream.body) as {
      token: { text: string };
      generated_text: string | null;
      details: { finish_reason: string } | null;
    }[];
    assert.deepEqual(
      events.map((event) => event.token.text),
      ['h', 'g', 'f', 'e'],
    );
    assert.equal(events.at(-1)?.generated_text, 'hgfe');
    assert.equal(events.at(-1)?.details?.finish_reason, 'stop_sequence');
    assert.equal(test.backend.active, 0);
  });

  it('ignores empty stop strings', async () => {
    const response = await post('/generate', { inputs: 'abc', parameters: { stop: [''] } });
    assert.deepEqual(response.json(), { generated_text: 'cba' });
  });

  it("POST / is TGI's compat route: a one-element array, or SSE with stream true", async () => {
    const plain = await post('/', { inputs: 'abc', parameters: { max_new_tokens: 10 } });
    assert.equal(plain.statusCode, 200, plain.body);
    assert.deepEqual(plain.json(), [{ generated_text: 'cba' }]);
    const streamed = await post('/', { inputs: 'abc', stream: true });
    assert.match(String(streamed.headers['content-type']), /^text\/event-stream/);
    const events = sseEvents(streamed.body) as { generated_text: string | null }[];
    assert.equal(events.at(-1)?.generated_text, 'cba');
    const invalid = await post('/', { inputs: '' });
    assert.equal(invalid.statusCode, 422);
    assert.equal(invalid.json().error_type, 'validation');
    const redirect = await test.server.app.inject({ method: 'GET', url: '/' });
    assert.equal(redirect.statusCode, 302);
  });

  it('POST /generate_stream refuses decoder_input_details with 422 before streaming', async () => {
    const response = await post('/generate_stream', { inputs: 'a', parameters: { decoder_input_details: true } });
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().error_type, 'validation');
  });
});

describe('OpenAI /v1/completions', () => {
  let test: TestServer;
  before(async () => {
    test = await makeServer({ maxInstances: 4, modelName: 'demo' });
  });
  after(() => test.server.close());
  const post = (payload: unknown) => test.server.app.inject({ method: 'POST', url: '/v1/completions', payload: payload as object });

  it('answers a text_completion with usage', async () => {
    const response = await post({ model: 'demo', prompt: 'hello', max_tokens: 20, temperature: 0 });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.object, 'text_completion');
    assert.equal(body.model, 'demo');
    assert.match(body.id, /^cmpl-/);
    assert.deepEqual(body.choices, [{ index: 0, text: reversed('hello'), logprobs: null, finish_reason: 'stop' }]);
    assert.deepEqual(body.usage, { prompt_tokens: 6, completion_tokens: 6, total_tokens: 12 });
    assert.equal(test.backend.requests.at(-1)?.params?.doSample, false);
  });

  it('defaults to 16 tokens with sampling (temperature 1), as OpenAI does', async () => {
    const response = await post({ prompt: 'x'.repeat(30) });
    assert.equal(response.json().choices[0].finish_reason, 'length');
    assert.equal(response.json().choices[0].text.length, 16);
    assert.equal(test.backend.requests.at(-1)?.params?.doSample, true);
  });

  it('answers prompt lists and n > 1 as separate choices', async () => {
    const response = await post({ prompt: ['ab', 'cd'], n: 2, temperature: 0.5, seed: 3 });
    assert.deepEqual(
      response.json().choices.map((choice: { index: number; text: string }) => [choice.index, choice.text]),
      [
        [0, 'ba'],
        [1, 'ba'],
        [2, 'dc'],
        [3, 'dc'],
      ],
    );
  });

  it('streams chunks and ends with data: [DONE]', async () => {
    const response = await post({ prompt: 'abc', stream: true, temperature: 0, stream_options: { include_usage: true } });
    assert.equal(response.statusCode, 200);
    const events = sseEvents(response.body);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1) as {
      choices: { text: string; finish_reason: string | null }[];
      usage?: { completion_tokens: number };
    }[];
    const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('');
    assert.equal(text, 'cba');
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
    assert.equal(chunks.at(-1)?.usage?.completion_tokens, 4);
  });

  it('cuts the text before a stop sequence, streamed or not', async () => {
    const response = await post({ prompt: 'abcdefgh', temperature: 0, stop: ['fe'] });
    assert.deepEqual(
      response.json().choices.map((choice: { text: string; finish_reason: string }) => [choice.text, choice.finish_reason]),
      [['hg', 'stop']],
    );
    const stream = await post({ prompt: 'abcdefgh', temperature: 0, stop: 'fe', stream: true });
    const chunks = sseEvents(stream.body).slice(0, -1) as { choices: { text: string; finish_reason: string | null }[] }[];
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.text ?? '').join(''), 'hg');
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
    const notStopped = await post({ prompt: 'abcdef', temperature: 0, stop: ['fx'], stream: true });
    const text = (sseEvents(notStopped.body).slice(0, -1) as { choices: { text: string }[] }[])
      .map((chunk) => chunk.choices[0]?.text ?? '')
      .join('');
    assert.equal(text, 'fedcba');
  });

  const invalid: [unknown, string][] = [
    [{}, 'prompt'],
    [{ prompt: 5 }, 'prompt'],
    [{ prompt: [] }, 'prompt'],
    [{ prompt: ['a', ''] }, 'prompt[1]'],
    [{ prompt: 'a', max_tokens: -1 }, 'max_tokens'],
    [{ prompt: 'a', temperature: 3 }, 'temperature'],
    [{ prompt: 'a', n: 5 }, 'n'],
    [{ prompt: 'a', n: 2, temperature: 0 }, 'n'],
    [{ prompt: 'a', echo: 'yes' }, 'echo'],
    [{ prompt: 'a', stop: ['1', '2', '3', '4', '5'] }, 'stop'],
    [{ prompt: 'a', logit_bias: { '5': 1 } }, 'logit_bias'],
    [{ prompt: 'a', suffix: 'b' }, 'suffix'],
    [{ prompt: 'a', min_p: 0.2 }, 'min_p'],
    [{ prompt: 'a', max_token: 3 }, 'max_token'],
    [{ prompt: 'a', stream_options: { include_usage: 'yes' } }, 'stream_options.include_usage'],
  ];
  for (const [payload, param] of invalid) {
    it(`400 in OpenAI's error shape for ${JSON.stringify(payload)}`, async () => {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, response.body);
      const error = response.json().error;
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, param);
      assert.equal(typeof error.message, 'string');
      assert.equal(typeof error.code, 'string');
    });
  }

  it('counts prompt_tokens once per prompt when n > 1', async () => {
    const response = await post({ prompt: ['ab', 'cde'], n: 2, temperature: 0.5, max_tokens: 1 });
    assert.equal(response.statusCode, 200, response.body);
    // 'ab</s>' and 'cde</s>' once each: 3 + 4, not twice that
    assert.deepEqual(response.json().usage, { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
  });

  it('passes top_k and repetition_penalty (vLLM extras) to the engine', async () => {
    const response = await post({ prompt: 'ab', temperature: 0.5, top_k: 7, repetition_penalty: 1.3 });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(test.backend.requests.at(-1)?.params?.topK, 7);
    assert.equal(test.backend.requests.at(-1)?.params?.repetitionPenalty, 1.3);
  });

  it('an unknown model is 404 model_not_found, as OpenAI answers it', async () => {
    const response = await post({ model: 'gpt-4', prompt: 'ab' });
    assert.equal(response.statusCode, 404, response.body);
    assert.deepEqual(response.json().error, {
      message: response.json().error.message,
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
    assert.match(response.json().error.message, /gpt-4/);
    const retrieve = await test.server.app.inject({ method: 'GET', url: '/v1/models/gpt-4' });
    assert.equal(retrieve.statusCode, 404);
    assert.equal(retrieve.json().error.code, 'model_not_found');
  });

  it('GET /v1/models/{id} retrieves the served model', async () => {
    const response = await test.server.app.inject({ method: 'GET', url: '/v1/models/demo' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { id: 'demo', object: 'model', created: 0, owned_by: 'llm-deploy' });
  });

  it('accepts any model name when the server allows it', async () => {
    const lenient = await makeServer({ modelName: 'demo', openAiAnyModel: true });
    try {
      const response = await lenient.server.app.inject({
        method: 'POST',
        url: '/v1/completions',
        payload: { model: 'gpt-4', prompt: 'ab' },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().model, 'demo');
    } finally {
      await lenient.server.close();
    }
  });

  it('GET /v1/models lists the model (the backend model name unless one is configured)', async () => {
    const response = await test.server.app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(response.json().data[0].id, 'demo');
    const other = await makeServer();
    const fallback = await other.server.app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(fallback.json().data[0].id, 'test-model');
    await other.server.close();
  });
});
