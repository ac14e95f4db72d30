import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';
import { openBartWeights, readBartConfig, writeSafetensors, type BartConfig, type SafetensorsTensorInput } from '../../model/index.js';
import { argmax } from './__fixtures__/t5-expected.js';
import { createBartRuntime } from './bart-runtime.js';
import type { OrtSeq2SeqRuntime } from './seq2seq-runtime.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'seq2seq');

const expectedSchema = z.object({
  generation_settings: z.object({
    forced_bos_token_id: z.number().int().nullable(),
    forced_eos_token_id: z.number().int().nullable(),
    bad_words_ids: z.array(z.array(z.number().int())).nullish(),
  }),
  cases: z.array(
    z.object({
      input_ids: z.array(z.number().int()),
      encoder_last_hidden_state: z.object({
        shape: z.array(z.number().int()),
        first8_per_row: z.array(z.array(z.number())),
        abs_sum: z.number(),
      }),
      greedy: z.object({ sequence: z.array(z.number().int()) }),
      first3_decoder_step_logits: z
        .object({ decoder_input_ids: z.array(z.number().int()), logits: z.array(z.array(z.number())) })
        .optional(),
    }),
  ),
});

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

type Expected = z.infer<typeof expectedSchema>;

// generate's greedy path with the generation config's forced first / last tokens (BART <s>, </s> at the 20th new token) and single-token bans (Marian <pad>).
async function greedy(
  runtime: OrtSeq2SeqRuntime<BartConfig>,
  prompts: readonly (readonly number[])[],
  settings: Expected['generation_settings'],
): Promise<number[][]> {
  const { vocabSize, decoderStartTokenId } = runtime.config;
  const { forced_bos_token_id: forcedFirst, forced_eos_token_id: forcedLast } = settings;
  const banned = (settings.bad_words_ids ?? []).map(([id]) => id as number);
  const eosTokenId = runtime.config.eosTokenId;
  const state = runtime.startDecoding(await runtime.encode(prompts), { expectedTokens: 21 });
  const sequences = prompts.map(() => [decoderStartTokenId]);
  const done = prompts.map(() => false);
  for (let step = 0; step < 20 && done.includes(false); step++) {
    const logits = await runtime.step(
      state,
      sequences.map((sequence) => sequence.at(-1) as number),
    );
    sequences.forEach((sequence, row) => {
      if (done[row]) return;
      const scores = logits.slice(row * vocabSize, (row + 1) * vocabSize);
      for (const id of banned) scores[id] = -Infinity;
      const forced = step === 0 ? forcedFirst : step === 19 ? forcedLast : null;
      const next = forced ?? argmax(scores);
      sequence.push(next);
      done[row] = next === eosTokenId;
    });
  }
  return sequences;
}

for (const [fixture, what] of [
  ['bart-tiny', 'learned positions from row 2, layernorm_embedding, post-LN blocks'],
  ['marian-tiny', 'sinusoidal positions, embeddings x sqrt(d_model), no layernorm_embedding, swish'],
] as const) {
  describe(`BART-layout runtime on ${fixture} (Hugging Face parity)`, () => {
    const DIR = join(FIXTURES, fixture);
    let runtime: OrtSeq2SeqRuntime<BartConfig>;
    let cases: Expected['cases'];
    let settings: Expected['generation_settings'];
    before(async () => {
      const config = await readBartConfig(DIR);
      const weights = await openBartWeights(DIR, config);
      try {
        runtime = await createBartRuntime({ weights, config, provider: 'cpu' });
      } finally {
        weights.close();
      }
      ({ cases, generation_settings: settings } = expectedSchema.parse(JSON.parse(await readFile(join(DIR, 'expected.json'), 'utf8'))));
    });
    after(() => runtime.close());

    it(`encoder last_hidden_state matches (${what})`, async () => {
      for (const [index, expected] of cases.entries()) {
        const { lastHiddenState, encoderLength } = await runtime.encode([expected.input_ids]);
        assert.deepEqual([encoderLength, runtime.config.dModel], expected.encoder_last_hidden_state.shape);
        expected.encoder_last_hidden_state.first8_per_row.forEach((values, row) =>
          values.forEach((value, column) =>
            close(lastHiddenState[row * 64 + column] as number, value, 1e-4, `case ${index} [${row}, ${column}]`),
          ),
        );
        const absSum = lastHiddenState.reduce((total, value) => total + Math.abs(value), 0);
        close(
          absSum,
          expected.encoder_last_hidden_state.abs_sum,
          1e-5 * expected.encoder_last_hidden_state.abs_sum,
          `case ${index} abs_sum`,
        );
      }
    });

    it('the first three decoder steps give the raw reference logits (lm_head + final_logits_bias)', async () => {
      const expected = cases[0]?.first3_decoder_step_logits;
      assert.ok(expected !== undefined);
      const state = runtime.startDecoding(await runtime.encode([cases[0]?.input_ids ?? []]));
      for (const [step, reference] of expected.logits.entries()) {
        const logits = await runtime.step(state, [expected.decoder_input_ids[step] as number]);
        assert.equal(logits.length, reference.length);
        reference.forEach((value, id) => close(logits[id] as number, value, 1e-4, `step ${step} id ${id}`));
      }
    });

    it('greedy reproduces every reference sequence, alone and in one padded batch', async () => {
      const alone = [];
      for (const expected of cases) alone.push(...(await greedy(runtime, [expected.input_ids], settings)));
      assert.deepEqual(
        alone,
        cases.map((expected) => expected.greedy.sequence),
      );
      assert.deepEqual(
        await greedy(
          runtime,
          cases.map((expected) => expected.input_ids),
          settings,
        ),
        alone,
      );
    });
  });
}

// The same weights under MarianMTModel's separate-vocabulary names (share_encoder_decoder_embeddings false): one table
// per stack, the head tied to the decoder's (kept here as lm_head.weight, its alias); HF then computes the same outputs.
describe('Marian with separate vocabularies (marian-tiny rewritten with one table per stack)', () => {
  let dir: string;
  before(async () => {
    const source = join(FIXTURES, 'marian-tiny');
    dir = await mkdtemp(join(tmpdir(), 'llm-deploy-marian-separate-'));
    await cp(source, dir, { recursive: true });
    const json: unknown = JSON.parse(await readFile(join(source, 'config.json'), 'utf8'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...z.object({}).loose().parse(json), share_encoder_decoder_embeddings: false }),
    );
    const weights = await openBartWeights(source, await readBartConfig(source));
    const tensors = new Map<string, SafetensorsTensorInput>();
    for (const name of weights.names()) {
      const tensor = { dtype: 'F32', shape: weights.shape(name), data: weights.read(name).slice() } as const;
      if (name !== 'model.shared.weight') tensors.set(name, tensor);
      else tensors.set('model.encoder.embed_tokens.weight', tensor).set('lm_head.weight', tensor);
    }
    weights.close();
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads one table per stack and gives the reference greedy sequences', async () => {
    const config = await readBartConfig(dir);
    assert.equal(config.sharedEmbeddings, false);
    const weights = await openBartWeights(dir, config);
    let runtime: OrtSeq2SeqRuntime<BartConfig> | undefined;
    try {
      assert.ok(weights.has('model.decoder.embed_tokens.weight') && weights.has('model.encoder.embed_tokens.weight'));
      runtime = await createBartRuntime({ weights, config, provider: 'cpu' });
    } finally {
      weights.close();
    }
    const { cases, generation_settings: settings } = expectedSchema.parse(JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')));
    try {
      const sequences = await greedy(
        runtime,
        cases.map((item) => item.input_ids),
        settings,
      );
      assert.deepEqual(
        sequences,
        cases.map((item) => item.greedy.sequence),
      );
    } finally {
      await runtime.close();
    }
  });

  it('refuses a checkpoint without the encoder table, naming it', async () => {
    const config = await readBartConfig(dir);
    const weights = await openBartWeights(join(FIXTURES, 'marian-tiny'), await readBartConfig(join(FIXTURES, 'marian-tiny')));
    const kept = new Map<string, SafetensorsTensorInput>();
    for (const name of weights.names())
      kept.set(name === 'model.shared.weight' ? 'lm_head.weight' : name, {
        dtype: 'F32',
        shape: weights.shape(name),
        data: weights.read(name).slice(),
      });
    weights.close();
    await writeSafetensors(join(dir, 'model.safetensors'), kept, { format: 'pt' });
    await assert.rejects(
      openBartWeights(dir, config),
      (error: unknown) =>
        LlmDeployError.isInstance(error) && error.code === 'MODEL_TENSOR_MISSING' && error.field === 'model.encoder.embed_tokens.weight',
    );
  });
});
