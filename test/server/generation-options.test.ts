// One rule for generation options on every route: temperature 0 is greedy decoding, and the
// new-token cap (through max_new_tokens, max_length, max_tokens or max_output_len) is one refusal
// naming the caller's own field, in the route family's status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeServer, type TestServer } from './support/make-server.js';

let test: TestServer;
before(async () => {
  test = await makeServer({ maxNewTokensCap: 50 });
});
after(() => test.server.close());

const post = (url: string, payload: object) => test.server.app.inject({ method: 'POST', url, payload });

/** An FT request for the prompt "ab" (ids 97, 98, </s> in the character tokenizer) with extra scalar inputs. */
function ftRequest(maxOutputLen: number, scalars: readonly { name: string; datatype: string; value: number }[] = []): object {
  return {
    inputs: [
      { name: 'input_ids', datatype: 'UINT32', shape: [1, 3], data: [97, 98, 1] },
      { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [3] },
      { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [maxOutputLen] },
      ...scalars.map(({ name, datatype, value }) => ({ name, datatype, shape: [1, 1], data: [value] })),
    ],
  };
}

const sampledFt = [
  { name: 'runtime_top_k', datatype: 'UINT32', value: 5 },
  { name: 'temperature', datatype: 'FP32', value: 0 },
];

describe('temperature 0 is greedy decoding on every route', () => {
  const cases: readonly [string, string, object][] = [
    ['Vertex parameters', '/infer', { instances: ['ab'], parameters: { temperature: 0 } }],
    ['Vertex config with do_sample', '/infer', { instances: ['ab'], config: { do_sample: true, temperature: 0, top_k: 5 } }],
    ['TGI /generate', '/generate', { inputs: 'ab', parameters: { temperature: 0 } }],
    ['TGI compat /', '/', { inputs: 'ab', parameters: { temperature: 0, top_k: 5 } }],
    ['OpenAI /v1/completions', '/v1/completions', { prompt: 'ab', temperature: 0 }],
    ['KServe v2 FT, top_k 5', '/v2/models/fastertransformer/infer', ftRequest(4, sampledFt)],
  ];
  for (const [name, url, payload] of cases) {
    it(name, async () => {
      const response = await post(url, payload);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(test.backend.requests.at(-1)?.params?.doSample, false);
    });
  }

  it('a temperature below 0 is still refused, naming the field', async () => {
    const vertex = await post('/infer', { instances: ['ab'], parameters: { temperature: -0.5 } });
    assert.equal(vertex.statusCode, 400);
    assert.match(vertex.json().error, /parameters\.temperature/);
    const tgi = await post('/generate', { inputs: 'ab', parameters: { temperature: -0.5 } });
    assert.equal(tgi.statusCode, 422);
    assert.match(tgi.json().error, /temperature/);
  });
});

describe('the new-token cap is one refusal naming the caller field', () => {
  const cases: readonly [string, string, object, number, RegExp][] = [
    ['Vertex max_new_tokens', '/infer', { instances: ['ab'], parameters: { max_new_tokens: 51 } }, 400, /parameters\.max_new_tokens/],
    ['Vertex max_length', '/infer', { instances: ['ab'], config: { max_length: 52 } }, 400, /config\.max_length/],
    ['TGI max_new_tokens', '/generate', { inputs: 'ab', parameters: { max_new_tokens: 51 } }, 422, /parameters\.max_new_tokens/],
    ['OpenAI max_tokens', '/v1/completions', { prompt: 'ab', max_tokens: 51 }, 400, /max_tokens/],
    ['KServe max_output_len', '/v2/models/fastertransformer/infer', ftRequest(51), 400, /input 'max_output_len'\[0\]/],
  ];
  for (const [name, url, payload, status, field] of cases) {
    it(name, async () => {
      const response = await post(url, payload);
      assert.equal(response.statusCode, status, response.body);
      assert.match(response.body, field);
      assert.match(response.body, /at most 50 new tokens/);
    });
  }

  it('max_length counts the decoder start token: 51 is 50 new tokens, within the cap', async () => {
    const response = await post('/infer', { instances: ['ab'], parameters: { max_length: 51 } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(test.backend.requests.at(-1)?.params?.maxNewTokens, 50);
  });
});
