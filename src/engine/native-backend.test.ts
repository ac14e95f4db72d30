import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { LlmDeployError } from '../config/index.js';
import type { Backend, GeneratedSequence, GenerationOptions } from './backend.js';
import { createPrng } from './generation/prng.js';
import { checkpointRuntime, loadNativeBackend } from './native-backend.js';
import { resolveEngineSettings } from './settings.js';

const sequence = z.array(z.number().int());
const expectedSchema = z.object({
  cases: z.array(
    z.object({
      input_ids: sequence,
      greedy: z.object({ sequence }),
      beam: z.object({
        sequence,
        sequence_score: z.number(),
        all_4_final_hypotheses: z.object({ sequences: z.array(sequence), sequence_scores: z.array(z.number()) }),
      }),
    }),
  ),
  batched: z.object({ greedy_sequences: z.array(sequence), beam_sequences: z.array(sequence) }),
});
type Expected = z.infer<typeof expectedSchema>;

/** HF output (decoder start first, pads after `</s>`) -> our tokenIds (no start token, `</s>` kept, no pads). */
function generatedIds(hf: readonly number[]): number[] {
  const rest = hf.slice(1);
  const eos = rest.indexOf(1);
  return eos < 0 ? rest : rest.slice(0, eos + 1);
}

const ids = (sequences: readonly GeneratedSequence[]): number[][] => sequences.map((entry) => [...entry.tokenIds]);
const BEAM = { maxNewTokens: 20, numBeams: 4, lengthPenalty: 1, earlyStopping: false } as const;

for (const model of ['t5-tiny-relu', 't5-tiny-gated']) {
  describe(`native backend on ${model}`, () => {
    const dir = new URL(`../../test/fixtures/${model}/`, import.meta.url).pathname;
    let backend: Backend;
    let expected: Expected;
    before(async () => {
      expected = expectedSchema.parse(JSON.parse(await readFile(`${dir}expected.json`, 'utf8')));
      backend = await loadNativeBackend({ modelDir: dir, settings: { maxBatchSize: 64 } });
    });
    after(() => backend.close());

    test('greedy and beam search reproduce Hugging Face one by one', async () => {
      for (const [index, entry] of expected.cases.entries()) {
        const greedy = await backend.generate({ inputIds: entry.input_ids, params: { maxNewTokens: 20 } });
        assert.deepEqual(ids(greedy.sequences), [generatedIds(entry.greedy.sequence)], `greedy case ${index}`);
        const beam = await backend.generate({ inputIds: entry.input_ids, params: { ...BEAM, numReturnSequences: 4 } });
        const hypotheses = entry.beam.all_4_final_hypotheses;
        assert.deepEqual(ids(beam.sequences), hypotheses.sequences.map(generatedIds), `beam case ${index}`);
        assert.deepEqual(ids(beam.sequences.slice(0, 1)), [generatedIds(entry.beam.sequence)]);
        beam.sequences.forEach((hypothesis, rank) => {
          assert.ok(
            Math.abs((hypothesis.score ?? Number.NaN) - hypotheses.sequence_scores[rank]) < 1e-4,
            `case ${index} rank ${rank}: ${hypothesis.score} vs ${hypotheses.sequence_scores[rank]}`,
          );
        });
        assert.ok(Math.abs((beam.sequences[0].score ?? Number.NaN) - entry.beam.sequence_score) < 1e-4);
      }
    });

    test('all cases at once (greedy and beam mixed, joining mid-decode) equal the batched and one-by-one references', async () => {
      const inputs = expected.cases.map((entry) => entry.input_ids);
      const greedy = inputs.map((inputIds) => backend.generate({ inputIds, params: { maxNewTokens: 20 } }));
      await new Promise((resolve) => setImmediate(resolve));
      const beam = inputs.map((inputIds) => backend.generate({ inputIds, params: BEAM }));
      const greedyIds = (await Promise.all(greedy)).map((result) => ids(result.sequences)[0]);
      const beamIds = (await Promise.all(beam)).map((result) => ids(result.sequences)[0]);
      assert.deepEqual(greedyIds, expected.batched.greedy_sequences.map(generatedIds));
      assert.deepEqual(beamIds, expected.batched.beam_sequences.map(generatedIds));
      assert.deepEqual(
        beamIds,
        expected.cases.map((entry) => generatedIds(entry.beam.sequence)),
      );
    });

    test('random mixes of every search, arriving at random times, give their solo results', async () => {
      const prng = createPrng(model.length);
      const pick = (count: number): number => Math.floor(prng.next() * count);
      const jobs = Array.from({ length: 10 }, (_, index) => {
        const params: GenerationOptions[] = [
          { maxNewTokens: 1 + pick(20), repetitionPenalty: 1 + prng.next(), noRepeatNgramSize: pick(4), minNewTokens: pick(4) },
          {
            maxNewTokens: 1 + pick(20),
            numBeams: 2 + pick(3),
            numReturnSequences: 1 + pick(2),
            lengthPenalty: prng.next() * 2 - 0.5,
            earlyStopping: [true, false, 'never' as const][pick(3)],
          },
          {
            maxNewTokens: 1 + pick(20),
            doSample: true,
            seed: pick(1000),
            topK: pick(40),
            topP: 0.5 + prng.next() / 2,
            temperature: 0.5 + prng.next(),
            numReturnSequences: 1 + pick(3),
          },
          { maxNewTokens: 1 + pick(10), numBeams: 2, doSample: true, seed: pick(1000), numReturnSequences: 2 },
        ];
        return {
          inputIds: expected.cases[pick(expected.cases.length)].input_ids,
          params: params[index % params.length],
          delayMs: pick(15),
        };
      });
      const solo: number[][][] = [];
      for (const entry of jobs) solo.push(ids((await backend.generate(entry)).sequences));
      const together = await Promise.all(
        jobs.map(async (entry) => {
          await new Promise((resolve) => setTimeout(resolve, entry.delayMs));
          return ids((await backend.generate(entry)).sequences);
        }),
      );
      assert.deepEqual(together, solo);
    });

    test('a short request overtakes a long one; cancelling and a full queue reject with their codes', async () => {
      const small = await loadNativeBackend({ modelDir: dir, settings: { maxBatchSize: 6, maxQueue: 1 } });
      const isCode = (code: string) => (error: unknown) => LlmDeployError.isInstance(error) && error.code === code;
      const until = async (condition: () => boolean): Promise<void> => {
        const deadline = Date.now() + 30_000;
        while (!condition()) {
          assert.ok(Date.now() < deadline, 'timed out waiting for the scheduler');
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      };
      try {
        const [first, second] = expected.cases;
        const order: string[] = [];
        const running = new AbortController();
        const waiting = new AbortController();
        const long = small
          .generate({ inputIds: first.input_ids, params: { maxNewTokens: 40, minNewTokens: 40 } })
          .then(() => order.push('long'));
        const beam = small.generate({
          inputIds: second.input_ids,
          params: { ...BEAM, minNewTokens: 40, maxNewTokens: 40 },
          signal: running.signal,
        });
        await until(() => small.stats().activeSequences === 5);
        const short = small.generate({ inputIds: second.input_ids, params: { maxNewTokens: 2 } }).then(() => order.push('short'));
        await until(() => small.stats().queueDepth === 0);
        const queued = small.generate({ inputIds: second.input_ids, params: BEAM, signal: waiting.signal });
        assert.equal(small.stats().queueDepth, 1, 'no room in the batch: it waits');
        await assert.rejects(
          small.generate({ inputIds: second.input_ids }),
          (error: unknown) => isCode('ENGINE_QUEUE_FULL')(error) && (error as { httpStatus: number }).httpStatus === 503,
        );
        waiting.abort();
        await assert.rejects(queued, isCode('ENGINE_CANCELLED'));
        running.abort();
        await assert.rejects(beam, isCode('ENGINE_CANCELLED'));
        await Promise.all([long, short]);
        assert.deepEqual(order, ['short', 'long']);
        assert.equal(small.stats().lastBatchSize, 1);
      } finally {
        await small.close();
      }
    });

    test('streams tokens, samples reproducibly by seed, and rejects inconsistent settings', async () => {
      const inputIds = expected.cases[0].input_ids;
      const streamed: number[] = [];
      const result = await backend.generate({
        inputIds,
        params: { maxNewTokens: 5 },
        onToken: (event) => streamed.push(event.tokenId),
        returnLogProbs: true,
      });
      assert.deepEqual(streamed, result.sequences[0].tokenIds);
      assert.equal(result.sequences[0].tokenLogProbs?.length, 5);
      assert.equal(result.inputTokenCount, inputIds.length);
      const sample = (seed: number): Promise<number[][]> =>
        backend
          .generate({ inputIds, params: { doSample: true, seed, maxNewTokens: 8, numReturnSequences: 2, topK: 20, temperature: 1.5 } })
          .then((entry) => ids(entry.sequences));
      assert.deepEqual(await sample(7), await sample(7));
      assert.notDeepEqual(await sample(7), await sample(8));
      await assert.rejects(
        backend.generate({ inputIds, params: { numBeams: 2, numReturnSequences: 3 } }),
        (error: unknown) =>
          LlmDeployError.isInstance(error) && error.code === 'ENGINE_PARAMS_INVALID' && error.field === 'numReturnSequences',
      );
      assert.equal(backend.info.defaults.maxNewTokens, 19);
    });
  });
}

test('an already-created runtime can be wrapped; without a model directory the defaults are HF defaults', async () => {
  const modelDir = new URL('../../test/fixtures/t5-tiny-relu/', import.meta.url).pathname;
  const runtime = await checkpointRuntime({ modelDir, settings: resolveEngineSettings() });
  const backend = await loadNativeBackend({ runtime, modelName: 'tiny', warmUp: false, settings: { maxInputTokens: 8 } });
  try {
    assert.equal(backend.info.modelName, 'tiny');
    assert.equal(backend.info.defaults.maxNewTokens, 19);
    assert.equal(backend.info.provider, runtime.provider);
    const result = await backend.generate({ inputIds: [37, 1], params: { maxNewTokens: 3 } });
    assert.ok(result.sequences[0].tokenIds.length <= 3);
    const invalid = (error: unknown): boolean =>
      LlmDeployError.isInstance(error) && error.code === 'ENGINE_INPUT_INVALID' && error.httpStatus === 400;
    await assert.rejects(backend.generate({ inputIds: new Array<number>(9).fill(5) }), invalid);
    await assert.rejects(backend.generate({ inputIds: [] }), invalid);
    await assert.rejects(backend.generate({ inputIds: [runtime.config.vocabSize] }), invalid);
  } finally {
    await backend.close();
  }
  assert.deepEqual(await backend.health(), { ready: false, reason: 'the engine is shutting down' });
  await assert.rejects(
    backend.generate({ inputIds: [37, 1] }),
    (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'ENGINE_CLOSED',
  );
});
