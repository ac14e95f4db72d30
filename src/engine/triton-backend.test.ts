import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { LlmDeployError } from '../config/index.js';
import type { KServeV2Tensor } from '../protocol/index.js';
import type { Backend } from './backend.js';
import { createTritonBackend } from './triton-backend.js';
import { deadUrl, startLoopbackTriton, type LoopbackTriton } from './triton/__fixtures__/loopback-triton.js';

const fixture = z
  .object({
    batched: z.object({
      input_ids: z.array(z.array(z.number())),
      attention_mask: z.array(z.array(z.number())),
      greedy_sequences: z.array(z.array(z.number())),
    }),
  })
  .parse(JSON.parse(readFileSync(new URL('../../test/fixtures/t5-tiny-relu/expected.json', import.meta.url), 'utf8')));
/** HF prompts (padding removed) and HF greedy results (decoder start removed, cut after `</s>`). */
const prompts = fixture.batched.input_ids.map((ids, row) =>
  ids.slice(
    0,
    fixture.batched.attention_mask[row]!.reduce((sum, bit) => sum + bit, 0),
  ),
);
const expected = fixture.batched.greedy_sequences.map((sequence) => {
  const ids = sequence.slice(1);
  const eos = ids.indexOf(1);
  return eos >= 0 ? ids.slice(0, eos + 1) : ids;
});
/** The HF result for fixture prompts; other prompts get their ids reversed before `</s>`. */
const hfAnswer = (row: { inputIds: readonly number[] }): number[] =>
  expected[prompts.findIndex((prompt) => prompt.join() === row.inputIds.join())] ?? [...row.inputIds.slice(0, -1).reverse(), 1];

let triton: LoopbackTriton;
let backend: Backend;
before(async () => {
  triton = await startLoopbackTriton({ answer: hfAnswer });
  backend = createTritonBackend({ url: `${triton.url}/`, settings: { maxBatchSize: 8 } });
});
after(async () => {
  await backend.close();
  await triton.close();
});

function input(request: LoopbackTriton['requests'][number] | undefined, name: string): KServeV2Tensor | undefined {
  return request?.inputs.find((tensor) => tensor.name === name);
}

async function rejectsWith(promise: Promise<unknown>, code: string, status: number, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.httpStatus, status, error.message);
    for (const part of parts) assert.ok(error.message.includes(part), `"${error.message}" lacks "${part}"`);
    return true;
  });
}

test('concurrent greedy calls go to Triton as one FT batch and come back as the HF sequences', async () => {
  triton.requests.length = 0;
  const results = await Promise.all(prompts.map((inputIds) => backend.generate({ inputIds, params: { maxNewTokens: 20 } })));
  assert.deepEqual(
    results.map((result) => result.sequences[0]?.tokenIds),
    expected,
  );
  assert.deepEqual(
    results.map((result) => result.sequences[0]?.finishReason),
    ['length', 'length', 'length', 'length', 'length', 'eos'],
  );
  assert.equal(triton.requests.length, 1, 'one Triton request for six calls');
  const sent = triton.requests[0];
  assert.deepEqual(input(sent, 'input_ids')?.shape, [6, 202]);
  assert.deepEqual(input(sent, 'sequence_length')?.data, Uint32Array.from(prompts.map((prompt) => prompt.length)));
  assert.deepEqual(input(sent, 'max_output_len')?.data, new Uint32Array(6).fill(20));
  assert.equal(input(sent, 'runtime_top_k'), undefined, 'greedy is FT default top_k 1, not sent');
  assert.equal(results[0]?.inputTokenCount, prompts[0]?.length);
  assert.equal(backend.stats().lastBatchSize, 6);
});

test('calls with different max_output_len or beam_width are sent separately', async () => {
  triton.requests.length = 0;
  const [a, b, c] = await Promise.all([
    backend.generate({ inputIds: [5, 6, 1], params: { maxNewTokens: 4 } }),
    backend.generate({ inputIds: [7, 1], params: { maxNewTokens: 8 } }),
    backend.generate({ inputIds: [8, 1], params: { maxNewTokens: 4, numBeams: 3, numReturnSequences: 2 } }),
  ]);
  assert.equal(triton.requests.length, 3);
  assert.deepEqual(
    a?.sequences.map((sequence) => sequence.tokenIds),
    [[6, 5, 1]],
  );
  assert.deepEqual(
    b?.sequences.map((sequence) => sequence.tokenIds),
    [[7, 1]],
  );
  assert.deepEqual(
    c?.sequences.map((sequence) => sequence.tokenIds),
    [
      [8, 1],
      [9, 1],
    ],
    'the best two of three beams',
  );
  assert.deepEqual(input(triton.requests[2], 'beam_width')?.data, Uint32Array.of(3));
});

test('sampling settings become FT inputs; each returned sequence is its own seeded row', async () => {
  triton.requests.length = 0;
  await backend.generate({
    inputIds: [5, 1],
    params: {
      maxNewTokens: 3,
      doSample: true,
      topK: 40,
      topP: 0.9,
      temperature: 0.5,
      repetitionPenalty: 1.2,
      seed: 7,
      numReturnSequences: 2,
    },
  });
  const sent = triton.requests[0];
  assert.deepEqual(input(sent, 'input_ids')?.shape, [2, 2]);
  assert.deepEqual(input(sent, 'runtime_top_k')?.data, Uint32Array.of(40, 40));
  assert.deepEqual(input(sent, 'runtime_top_p')?.data, Float32Array.of(0.9, 0.9));
  assert.deepEqual(input(sent, 'temperature')?.data, Float32Array.of(0.5, 0.5));
  assert.deepEqual(input(sent, 'repetition_penalty')?.data, Float32Array.of(1.2, 1.2));
  assert.deepEqual(input(sent, 'random_seed')?.data, BigUint64Array.of(7n, 8n));
  assert.equal(input(sent, 'random_seed')?.datatype, 'UINT64');
});

test('replies typed INT32 or UINT32, with or without a leading start id, read the same; log-probs pass through', async () => {
  for (const idDatatype of ['INT32', 'UINT32'] as const) {
    for (const includeStartId of [false, true]) {
      Object.assign(triton.behaviour, { idDatatype, includeStartId });
      const tokens: number[] = [];
      const result = await backend.generate({
        inputIds: prompts[5]!,
        params: { maxNewTokens: 20 },
        returnLogProbs: true,
        onToken: (event) => tokens.push(event.tokenId),
      });
      assert.deepEqual(result.sequences[0]?.tokenIds, expected[5]);
      assert.deepEqual(result.sequences[0]?.tokenLogProbs, [-0.5, -0.5, -0.5, -0.5]);
      assert.deepEqual(tokens, expected[5]);
    }
  }
  Object.assign(triton.behaviour, { idDatatype: 'UINT32', includeStartId: false });
});

test('health follows Triton readiness and names what is not ready', async () => {
  assert.deepEqual(await backend.health(), { ready: true });
  triton.behaviour.modelReady = false;
  const model = await backend.health();
  assert.equal(model.ready, false);
  assert.match(model.reason ?? '', /model 'fastertransformer' not ready/);
  triton.behaviour.serverReady = false;
  assert.match((await backend.health()).reason ?? '', /Triton server not ready.*\/v2\/health\/ready answered 400/);
  Object.assign(triton.behaviour, { serverReady: true, modelReady: true });
});

test('Triton down: health says so and generate is a 503 naming the URL', async () => {
  const url = await deadUrl();
  const down = createTritonBackend({ url });
  const health = await down.health();
  assert.equal(health.ready, false);
  assert.ok(health.reason?.includes(url), health.reason);
  await rejectsWith(down.generate({ inputIds: [5, 1] }), 'ENGINE_UPSTREAM_UNAVAILABLE', 503, url, 'ECONNREFUSED');
  await down.close();
});

test('Triton errors: 400 keeps its message as a 502, 503 is unavailable, slowness is a 504', async () => {
  triton.behaviour.failure = { status: 400, message: "unexpected inference input 'runtime_top_p'" };
  await rejectsWith(backend.generate({ inputIds: [5, 1] }), 'ENGINE_UPSTREAM_ERROR', 502, "unexpected inference input 'runtime_top_p'");
  triton.behaviour.failure = { status: 503, message: 'Exceeds maximum queue size' };
  await rejectsWith(backend.generate({ inputIds: [5, 1] }), 'ENGINE_UPSTREAM_UNAVAILABLE', 503, 'Exceeds maximum queue size');
  delete triton.behaviour.failure;
  triton.behaviour.delayMs = 300;
  const slow = createTritonBackend({ url: triton.url, timeoutMs: 50 });
  await rejectsWith(slow.generate({ inputIds: [5, 1] }), 'ENGINE_UPSTREAM_TIMEOUT', 504, triton.url);
  triton.behaviour.delayMs = 0;
  await slow.close();
});

test('settings FasterTransformer cannot express are 400s; bad prompts too', async () => {
  await rejectsWith(backend.generate({ inputIds: [5, 1], params: { minNewTokens: 3 } }), 'ENGINE_PARAMS_INVALID', 400, 'minNewTokens');
  await rejectsWith(
    backend.generate({ inputIds: [5, 1], params: { noRepeatNgramSize: 2 } }),
    'ENGINE_PARAMS_INVALID',
    400,
    'noRepeatNgramSize',
  );
  await rejectsWith(
    backend.generate({ inputIds: [5, 1], params: { doSample: true, numBeams: 2 } }),
    'ENGINE_PARAMS_INVALID',
    400,
    'numBeams',
  );
  await rejectsWith(backend.generate({ inputIds: [] }), 'ENGINE_INPUT_INVALID', 400);
  await rejectsWith(
    backend.generate({ inputIds: [5, 1], params: { doSample: true, temperature: 1e-5 } }),
    'ENGINE_PARAMS_INVALID',
    400,
    'temperature',
  );
});

test('warpers are not sent for greedy decoding (HF ignores them there; FT would not)', async () => {
  // prompts no other test sends: a request an earlier test timed out on may still reach the loopback server now
  const sent = (firstId: number): LoopbackTriton['requests'] =>
    triton.requests.filter((request) => input(request, 'input_ids')?.data[0] === firstId);
  await backend.generate({ inputIds: [41, 1], params: { temperature: 0, topK: 3, topP: 0.5, maxNewTokens: 2 } });
  assert.deepEqual(
    sent(41)[0]?.inputs.map((tensor) => tensor.name),
    ['input_ids', 'sequence_length', 'max_output_len'],
  );
  await backend.generate({ inputIds: [42, 1], params: { numBeams: 2, lengthPenalty: 0.6, maxNewTokens: 2 } });
  assert.deepEqual(input(sent(42)[0], 'len_penalty')?.data, Float32Array.of(0.6), 'beam search sends its length penalty');
});

test('aborting a call in flight rejects it with ENGINE_CANCELLED; close rejects the rest', async () => {
  triton.behaviour.delayMs = 200;
  const controller = new AbortController();
  const aborted = backend.generate({ inputIds: [5, 1], signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await rejectsWith(aborted, 'ENGINE_CANCELLED', 499);
  const closing = createTritonBackend({ url: triton.url });
  const pending = closing.generate({ inputIds: [5, 1] });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await closing.close();
  await rejectsWith(pending, 'ENGINE_CLOSED', 503);
  await rejectsWith(closing.generate({ inputIds: [5, 1] }), 'ENGINE_CLOSED', 503);
  triton.behaviour.delayMs = 0;
});
