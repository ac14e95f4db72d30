import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import type { GenerationParams } from '../backend.js';
import { createDecodeTask } from '../generation/decode-task.js';
import { HF_GENERATION_DEFAULTS } from '../generation/__fixtures__/hf-defaults.js';
import type { DecoderState, EncodedBatch } from '../runtime/types.js';
import { ContinuousBatcher, type BatchJob, type DecoderRuntime } from './continuous-batcher.js';

const VOCAB = 24;
const ids = { decoderStartTokenId: 0, eosTokenId: 1 };

interface FakeState extends DecoderState {
  readonly histories: readonly (readonly number[])[];
  readonly prompts: readonly (readonly number[])[];
}

/** A stand-in model: logits are a hash of the prompt and the decoder history, so results depend only on a row's own past. */
function fakeRuntime(): DecoderRuntime & { steps: number[]; released: number; encodes: { rows: number; afterSteps: number }[] } {
  const prompts = new WeakMap<EncodedBatch, (readonly number[])[]>();
  const runtime = {
    steps: [] as number[],
    released: 0,
    encodes: [] as { rows: number; afterSteps: number }[],
    async encode(inputIds: readonly (readonly number[])[]): Promise<EncodedBatch> {
      runtime.encodes.push({ rows: inputIds.length, afterSteps: runtime.steps.length });
      await new Promise((resolve) => setImmediate(resolve));
      const encoded: EncodedBatch = {
        rows: inputIds.length,
        encoderLength: 1,
        inputLengths: inputIds.map((row) => row.length),
        lastHiddenState: new Float32Array(0),
      };
      prompts.set(
        encoded,
        inputIds.map((row) => [...row]),
      );
      return encoded;
    },
    startDecoding(encoded: EncodedBatch, options?: { rows?: readonly number[] }): DecoderState {
      const rows = options?.rows ?? encoded.inputLengths.map((_, index) => index);
      const source = prompts.get(encoded) ?? [];
      return make(
        rows.map((row) => source[row]),
        rows.map(() => []),
      );
    },
    async step(state: DecoderState, tokenIds: readonly number[]): Promise<Float32Array> {
      const fake = state as FakeState;
      assert.equal(tokenIds.length, fake.rows);
      await new Promise((resolve) => setImmediate(resolve));
      runtime.steps.push(fake.rows);
      const logits = new Float32Array(fake.rows * VOCAB);
      fake.histories.forEach((history, row) => {
        (history as number[]).push(tokenIds[row]);
        for (let v = 0; v < VOCAB; v++) logits[row * VOCAB + v] = hashScore([...fake.prompts[row], -1, ...history, v]);
      });
      return logits;
    },
    select(state: DecoderState, rows: readonly number[]): DecoderState {
      const fake = state as FakeState;
      return make(
        rows.map((row) => fake.prompts[row]),
        rows.map((row) => [...fake.histories[row]]),
      );
    },
    merge(states: readonly DecoderState[]): DecoderState {
      const all = states as readonly FakeState[];
      return make(
        all.flatMap((state) => state.prompts),
        all.flatMap((state) => state.histories.map((history) => [...history])),
      );
    },
    release(): void {
      runtime.released++;
    },
  };
  return runtime;
}

function make(prompts: (readonly number[])[], histories: number[][]): FakeState {
  return {
    rows: prompts.length,
    positions: histories.map((history) => history.length),
    encoderLengths: prompts.map((prompt) => prompt.length),
    capacity: 64,
    histories,
    prompts,
  };
}

function hashScore(values: readonly number[]): number {
  let hash = 2166136261;
  for (const value of values) hash = Math.imul(hash ^ (value + 7), 16777619) >>> 0;
  return ((hash % 10007) / 10007) * 6 - 3;
}

function job(inputIds: number[], params: Partial<GenerationParams>, signal?: AbortSignal): BatchJob {
  const resolved = { ...HF_GENERATION_DEFAULTS, ...params };
  return {
    inputIds,
    task: createDecodeTask({ params: resolved, ids }),
    expectedTokens: resolved.maxNewTokens + 1,
    ...(signal ? { signal } : {}),
  };
}

function batcher(runtime: DecoderRuntime, maxBatchSize = 16, maxQueue = 16, joinTokensPerStep?: number): ContinuousBatcher {
  return new ContinuousBatcher({
    runtime,
    decoderStartTokenId: 0,
    maxBatchSize,
    maxQueue,
    ...(joinTokensPerStep === undefined ? {} : { joinTokensPerStep }),
  });
}

const cases: { input: number[]; params: Partial<GenerationParams> }[] = [
  { input: [5, 6, 1], params: { maxNewTokens: 12 } },
  { input: [7, 1], params: { maxNewTokens: 6, numBeams: 3 } },
  { input: [9, 9, 9, 9, 1], params: { maxNewTokens: 9, numBeams: 2, numReturnSequences: 2, lengthPenalty: 0.5 } },
  { input: [3, 1], params: { maxNewTokens: 8, doSample: true, seed: 11, numReturnSequences: 2, topK: 5 } },
  { input: [4, 2, 1], params: { maxNewTokens: 7, repetitionPenalty: 1.5, noRepeatNgramSize: 2 } },
];

test('jobs joining mid-decode give exactly their solo results', async () => {
  const solo = [];
  for (const entry of cases) solo.push((await batcher(fakeRuntime()).submit(job(entry.input, entry.params))).sequences);
  const runtime = fakeRuntime();
  const shared = batcher(runtime);
  const pending = [];
  for (const entry of cases) {
    pending.push(shared.submit(job(entry.input, entry.params)));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const together = (await Promise.all(pending)).map((result) => result.sequences);
  assert.deepEqual(together, solo);
  assert.ok(Math.max(...runtime.steps) > 3, `rows per step ${runtime.steps.join(',')}`);
  assert.ok(new Set(runtime.steps).size > 2, 'the batch grew and shrank');
});

test('a short job submitted after a long one finishes first', async () => {
  const shared = batcher(fakeRuntime());
  const order: string[] = [];
  const long = shared.submit(job([5, 1], { maxNewTokens: 40, minNewTokens: 40 })).then(() => order.push('long'));
  await new Promise((resolve) => setImmediate(resolve));
  const short = shared.submit(job([6, 1], { maxNewTokens: 2, minNewTokens: 2 })).then(() => order.push('short'));
  await Promise.all([long, short]);
  assert.deepEqual(order, ['short', 'long']);
});

test('cancelling frees the rows at the next step and rejects with ENGINE_CANCELLED', async () => {
  const runtime = fakeRuntime();
  const shared = batcher(runtime);
  const controller = new AbortController();
  const other = shared.submit(job([8, 1], { maxNewTokens: 30, minNewTokens: 30 }));
  const doomed = shared.submit(job([5, 1], { maxNewTokens: 30, minNewTokens: 30, numBeams: 3 }, controller.signal));
  while (runtime.steps.length < 3) await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  await assert.rejects(doomed, (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_CANCELLED');
  const result = await other;
  assert.equal(result.sequences[0].tokenIds.length, 30);
  assert.equal(runtime.steps.at(-1), 1, 'only the remaining job is decoded after the cancel');
  const before = new AbortController();
  before.abort();
  await assert.rejects(
    shared.submit(job([5, 1], {}, before.signal)),
    (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_CANCELLED',
  );
});

test('a full queue rejects with ENGINE_QUEUE_FULL (503); a job wider than the batch with ENGINE_PARAMS_INVALID', async () => {
  const shared = batcher(fakeRuntime(), 2, 1);
  const running = shared.submit(job([5, 1], { maxNewTokens: 5, numBeams: 2 }));
  const waiting = shared.submit(job([6, 1], { maxNewTokens: 5 }));
  await assert.rejects(
    shared.submit(job([7, 1], { maxNewTokens: 5 })),
    (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_QUEUE_FULL' && error.httpStatus === 503,
  );
  await assert.rejects(
    shared.submit(job([7, 1], { numBeams: 3 })),
    (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_PARAMS_INVALID' && error.httpStatus === 400,
  );
  await Promise.all([running, waiting]);
  assert.deepEqual(shared.stats(), { queueDepth: 0, activeSequences: 0, lastBatchSize: 1 });
});

test('close rejects waiting and running jobs with ENGINE_CLOSED and frees the decoder state', async () => {
  const runtime = fakeRuntime();
  const shared = batcher(runtime, 1, 4);
  const running = shared.submit(job([5, 1], { maxNewTokens: 50, minNewTokens: 50 }));
  const waiting = shared.submit(job([6, 1], {}));
  while (runtime.steps.length < 2) await new Promise((resolve) => setImmediate(resolve));
  const isClosed = (error: unknown): boolean => LlmDeployError.isInstance(error) && error.code === 'ENGINE_CLOSED';
  const outcomes = Promise.all([assert.rejects(running, isClosed), assert.rejects(waiting, isClosed)]);
  await shared.close();
  await outcomes;
  await assert.rejects(shared.submit(job([5, 1], {})), isClosed);
  assert.ok(runtime.released > 0);
});

test('jobs that fit in the batch at once never count against maxQueue, even while the loop is busy', async () => {
  const shared = batcher(fakeRuntime(), 3, 0);
  const results = [shared.submit(job([5, 1], { maxNewTokens: 4 })), shared.submit(job([6, 1], { maxNewTokens: 4 }))];
  results.push(shared.submit(job([7, 1], { maxNewTokens: 4 })));
  await assert.rejects(
    shared.submit(job([8, 1], { maxNewTokens: 4 })),
    (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_QUEUE_FULL',
  );
  assert.equal((await Promise.all(results)).length, 3);
});

test('a crowd of prompts is encoded a budget at a time, with a decode step between encoder runs', async () => {
  const runtime = fakeRuntime();
  const shared = batcher(runtime, 16, 16, 6);
  const prompts = [
    [5, 6, 1],
    [7, 8, 1],
    [9, 1],
    [4, 4, 4, 4, 4, 4, 4, 1],
    [3, 1],
  ];
  const solo = [];
  for (const input of prompts) solo.push((await batcher(fakeRuntime()).submit(job(input, { maxNewTokens: 5 }))).sequences);
  const together = await Promise.all(prompts.map((input) => shared.submit(job(input, { maxNewTokens: 5 }))));
  assert.deepEqual(
    together.map((result) => result.sequences),
    solo,
  );
  // The loop starts on the first submission, alone; then 3 + 2 tokens fit the budget of 6; the 8-token prompt
  // joins alone (at least one job per step), then the last one.
  assert.deepEqual(runtime.encodes, [
    { rows: 1, afterSteps: 0 },
    { rows: 2, afterSteps: 1 },
    { rows: 1, afterSteps: 2 },
    { rows: 1, afterSteps: 3 },
  ]);
  assert.ok(together[0].firstTokenMs <= together[4].firstTokenMs, 'the first prompts start decoding first');
});
