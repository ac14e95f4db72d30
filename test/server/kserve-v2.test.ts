// KServe v2 routes (JSON, Triton binary extension, gzip) with the FasterTransformer T5 contract.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createTensor, decodeInferResponse, encodeInferRequest } from '../../src/protocol/index.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { makeServer, type TestServer } from './support/make-server.js';

const tokenizer = charTokenizer();
const INFER = '/v2/models/fastertransformer/infer';

function ftJson(prompts: string[], extra: object[] = []): object {
  const ids = prompts.map((prompt) => tokenizer.encode(prompt));
  const width = Math.max(...ids.map((row) => row.length));
  return {
    id: 'req-1',
    inputs: [
      {
        name: 'input_ids',
        datatype: 'UINT32',
        shape: [ids.length, width],
        data: ids.map((row) => [...row, ...Array(width - row.length).fill(0)]),
      },
      { name: 'sequence_length', datatype: 'UINT32', shape: [ids.length, 1], data: ids.map((row) => row.length) },
      { name: 'max_output_len', datatype: 'UINT32', shape: [ids.length, 1], data: ids.map(() => 16) },
      ...extra,
    ],
  };
}

describe('KServe v2 routes', () => {
  let test: TestServer;
  before(async () => {
    test = await makeServer({ maxInstances: 8 });
  });
  after(() => test.server.close());

  it('serves server metadata, health and model metadata', async () => {
    const app = test.server.app;
    const meta = (await app.inject({ method: 'GET', url: '/v2' })).json();
    assert.equal(meta.name, 'llm-deploy');
    assert.ok(meta.extensions.includes('binary_tensor_data'));
    assert.deepEqual((await app.inject({ method: 'GET', url: '/v2/health/live' })).json(), { live: true });
    assert.equal((await app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode, 200);
    for (const url of ['/v2/models/fastertransformer', '/v2/models/fastertransformer/versions/1']) {
      const model = (await app.inject({ method: 'GET', url })).json();
      assert.equal(model.name, 'fastertransformer');
      assert.ok(model.inputs.some((input: { name: string }) => input.name === 'input_ids'));
    }
    const ready = await app.inject({ method: 'GET', url: '/v2/models/fastertransformer/ready' });
    assert.deepEqual(ready.json(), { name: 'fastertransformer', ready: true });
    const unknown = await app.inject({ method: 'GET', url: '/v2/models/other' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().error, /model 'other' not found/);
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/fastertransformer/versions/2' })).statusCode, 404);
  });

  it('answers JSON infer requests with output_ids [batch, beam, L] padded with end_id', async () => {
    const response = await test.server.app.inject({ method: 'POST', url: INFER, payload: ftJson(['abc', 'hello']) });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.id, 'req-1');
    assert.equal(body.model_name, 'fastertransformer');
    const ids = body.outputs.find((output: { name: string }) => output.name === 'output_ids');
    const lengths = body.outputs.find((output: { name: string }) => output.name === 'sequence_length');
    assert.deepEqual(ids.shape, [2, 1, 6]);
    assert.equal(ids.datatype, 'UINT32');
    assert.deepEqual(lengths.data, [4, 6]);
    const rows = [ids.data.slice(0, 6), ids.data.slice(6, 12)];
    assert.equal(tokenizer.decode(rows[0], { skipSpecialTokens: true }), 'cba');
    assert.deepEqual(rows[0].slice(3), [1, 1, 1]);
    assert.equal(tokenizer.decode(rows[1], { skipSpecialTokens: true }), 'olleh');
  });

  it('maps FT sampling and beam inputs onto generation settings', async () => {
    const extra = [
      { name: 'runtime_top_k', datatype: 'UINT32', shape: [1, 1], data: [4] },
      { name: 'temperature', datatype: 'FP32', shape: [1, 1], data: [0.7] },
      { name: 'random_seed', datatype: 'UINT64', shape: [1, 1], data: [42] },
    ];
    const response = await test.server.app.inject({ method: 'POST', url: INFER, payload: ftJson(['ab'], extra) });
    assert.equal(response.statusCode, 200);
    const params = test.backend.requests.at(-1)?.params;
    assert.equal(params?.doSample, true);
    assert.equal(params?.topK, 4);
    assert.ok(Math.abs((params?.temperature ?? 0) - 0.7) < 1e-6);
    assert.equal(params?.seed, 42);
    const beams = await test.server.app.inject({
      method: 'POST',
      url: INFER,
      payload: ftJson(['ab'], [{ name: 'beam_width', datatype: 'UINT32', shape: [1, 1], data: [3] }]),
    });
    const ids = beams.json().outputs.find((output: { name: string }) => output.name === 'output_ids');
    assert.deepEqual(ids.shape, [1, 3, 3]);
  });

  it('reads and writes the Triton binary extension, gzip included', async () => {
    const ids = tokenizer.encode('xyz');
    const { body, headers } = encodeInferRequest({
      inputs: [
        createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [1, ids.length] }, Uint32Array.from(ids)),
        createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(ids.length)),
        createTensor({ name: 'max_output_len', datatype: 'UINT32', shape: [1, 1] }, Uint32Array.of(8)),
      ],
      outputs: [
        { name: 'output_ids', binaryData: true },
        { name: 'sequence_length', binaryData: true },
      ],
    });
    for (const gzip of [false, true]) {
      const response = await test.server.app.inject({
        method: 'POST',
        url: INFER,
        headers: { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
        payload: gzip ? gzipSync(body) : body,
      });
      assert.equal(response.statusCode, 200, response.body);
      const header = response.headers['inference-header-content-length'];
      assert.equal(typeof header, 'string');
      const decoded = decodeInferResponse(response.rawPayload, String(header));
      const output = decoded.outputs.find((tensor) => tensor.name === 'output_ids');
      assert.deepEqual(output?.shape, [1, 1, 4]);
      assert.equal(tokenizer.decode([...(output?.data as Uint32Array)], { skipSpecialTokens: true }), 'zyx');
    }
  });

  const invalid: [string, object, RegExp][] = [
    ['missing input_ids', { inputs: [{ name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [3] }] }, /input_ids/],
    [
      'missing max_output_len',
      {
        inputs: [
          { name: 'input_ids', datatype: 'UINT32', shape: [1, 2], data: [5, 1] },
          { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [2] },
        ],
      },
      /max_output_len/,
    ],
    [
      'missing sequence_length',
      {
        inputs: [
          { name: 'input_ids', datatype: 'UINT32', shape: [1, 2], data: [5, 1] },
          { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [2] },
        ],
      },
      /sequence_length/,
    ],
    [
      'stop words (not supported)',
      ftJson(['a'], [{ name: 'stop_words_list', datatype: 'INT32', shape: [1, 2, 1], data: [5, 1] }]),
      /stop_words_list/,
    ],
    [
      'max_output_len over the cap',
      {
        inputs: [
          { name: 'input_ids', datatype: 'UINT32', shape: [1, 2], data: [5, 1] },
          { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [2] },
          { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [100000] },
        ],
      },
      /max_output_len/,
    ],
    ['wrong datatype', ftJson(['a'], [{ name: 'runtime_top_p', datatype: 'BYTES', shape: [1, 1], data: ['x'] }]), /runtime_top_p/],
    ['float ids', { inputs: [{ name: 'input_ids', datatype: 'FP32', shape: [1, 2], data: [5, 1] }] }, /input_ids/],
    ['shape/data mismatch', { inputs: [{ name: 'input_ids', datatype: 'UINT32', shape: [1, 3], data: [5, 1] }] }, /input_ids/],
    [
      '1-d ids',
      {
        inputs: [
          { name: 'input_ids', datatype: 'UINT32', shape: [2], data: [5, 1] },
          { name: 'max_output_len', datatype: 'UINT32', shape: [1], data: [2] },
        ],
      },
      /input_ids/,
    ],
    ['unknown input', ftJson(['a'], [{ name: 'bogus', datatype: 'UINT32', shape: [1, 1], data: [1] }]), /bogus/],
    [
      'scalar of wrong batch',
      ftJson(['a', 'b'], [{ name: 'beam_width', datatype: 'UINT32', shape: [3, 1], data: [1, 1, 1] }]),
      /beam_width/,
    ],
    [
      'sequence_length too long',
      {
        inputs: [
          { name: 'input_ids', datatype: 'UINT32', shape: [1, 2], data: [5, 1] },
          { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [9] },
          { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [2] },
        ],
      },
      /sequence_length/,
    ],
    ['too large batch', ftJson(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']), /batch/],
    ['not an object', { inputs: 'x' }, /inputs/],
    ['unknown output', { ...ftJson(['a']), outputs: [{ name: 'logits' }] }, /logits/],
  ];
  for (const [name, payload, message] of invalid) {
    it(`400 for ${name}`, async () => {
      const response = await test.server.app.inject({ method: 'POST', url: INFER, payload });
      assert.equal(response.statusCode, 400, response.body);
      assert.deepEqual(Object.keys(response.json()), ['error']);
      assert.match(response.json().error, message);
    });
  }

  it('400 for lying binary sizes and bad framing headers, 400 for broken gzip', async () => {
    const json = Buffer.from(
      JSON.stringify({ inputs: [{ name: 'input_ids', datatype: 'UINT32', shape: [1, 2], parameters: { binary_data_size: 8 } }] }),
    );
    const cases: [Record<string, string>, Buffer][] = [
      [{ 'inference-header-content-length': String(json.length) }, Buffer.concat([json, Buffer.alloc(4)])],
      [{ 'inference-header-content-length': String(json.length) }, Buffer.concat([json, Buffer.alloc(12)])],
      [{ 'inference-header-content-length': 'abc' }, json],
      [{ 'inference-header-content-length': String(json.length + 100) }, json],
      [{ 'content-encoding': 'gzip' }, Buffer.from('not gzip')],
      [{ 'content-encoding': 'br' }, json],
    ];
    for (const [headers, payload] of cases) {
      const response = await test.server.app.inject({
        method: 'POST',
        url: INFER,
        headers: { 'content-type': 'application/octet-stream', ...headers },
        payload,
      });
      assert.equal(response.statusCode, 400, `${JSON.stringify(headers)}: ${response.body}`);
      assert.equal(typeof response.json().error, 'string');
    }
  });

  it('GET /v2/models/{m}/config answers the model configuration as Triton does', async () => {
    const response = await test.server.app.inject({ method: 'GET', url: '/v2/models/fastertransformer/config' });
    assert.equal(response.statusCode, 200, response.body);
    const config = response.json();
    assert.equal(config.name, 'fastertransformer');
    assert.equal(config.backend, 'fastertransformer');
    assert.equal(config.max_batch_size, 8);
    const ids = config.input.find((input: { name: string }) => input.name === 'input_ids');
    assert.deepEqual([ids.data_type, ids.dims, ids.optional], ['TYPE_UINT32', [-1], false]);
    const topK = config.input.find((input: { name: string }) => input.name === 'runtime_top_k');
    assert.deepEqual([topK.data_type, topK.dims, topK.reshape, topK.optional], ['TYPE_UINT32', [1], { shape: [] }, true]);
    assert.deepEqual(config.output.find((output: { name: string }) => output.name === 'output_ids').dims, [-1, -1]);
    const missing = await test.server.app.inject({ method: 'GET', url: '/v2/models/other/config' });
    assert.equal(missing.statusCode, 404);
  });

  it('GET /v2/models/{m}/stats counts inferences in model_stats', async () => {
    const stats = async () => (await test.server.app.inject({ method: 'GET', url: '/v2/models/fastertransformer/stats' })).json();
    const before = (await stats()).model_stats[0];
    const infer = await test.server.app.inject({ method: 'POST', url: INFER, payload: ftJson(['ab', 'cd']) });
    assert.equal(infer.statusCode, 200, infer.body);
    const failed = await test.server.app.inject({ method: 'POST', url: INFER, payload: { inputs: [] } });
    assert.equal(failed.statusCode, 400);
    const after = (await stats()).model_stats[0];
    assert.deepEqual([after.name, after.version], ['fastertransformer', '1']);
    assert.equal(after.inference_count - before.inference_count, 2);
    assert.equal(after.execution_count - before.execution_count, 1);
    assert.equal(after.inference_stats.success.count - before.inference_stats.success.count, 1);
    assert.equal(after.inference_stats.fail.count - before.inference_stats.fail.count, 1);
    assert.ok(after.inference_stats.success.ns > before.inference_stats.success.ns);
    assert.ok(after.last_inference > 0);
    for (const key of ['queue', 'compute_input', 'compute_infer', 'compute_output', 'cache_hit', 'cache_miss']) {
      assert.equal(typeof after.inference_stats[key].count, 'number', key);
    }
  });

  it('POST /v2/repository/index lists the model with its state', async () => {
    for (const payload of [undefined, {}, { ready: true }]) {
      const response = await test.server.app.inject({
        method: 'POST',
        url: '/v2/repository/index',
        ...(payload === undefined ? {} : { payload }),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), [{ name: 'fastertransformer', version: '1', state: 'READY', reason: '' }]);
    }
  });
});
