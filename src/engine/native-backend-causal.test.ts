import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Backend, GenerateResult } from './backend.js';
import { loadNativeBackend } from './native-backend.js';
import { causalFixtureDir, CAUSAL_FIXTURES, readCausalExpected, type CausalCase } from './runtime/__fixtures__/causal-expected.js';

const GREEDY = { maxNewTokens: 20, numBeams: 1, doSample: false } as const;
const BEAM = { maxNewTokens: 20, numBeams: 4, numReturnSequences: 1, lengthPenalty: 1, earlyStopping: false } as const;
// Beam scores are float32 sums of log-probabilities, compared with transformers' own.
const SCORE_TOLERANCE = 1e-4;

function checkBeam(result: GenerateResult, expected: CausalCase, what: string): void {
  const [best] = result.sequences;
  assert.deepEqual(best?.tokenIds, expected.beam.new_tokens, `${what}: beam tokens`);
  const score = best?.score ?? Number.NaN;
  assert.ok(
    Math.abs(score - expected.beam.sequence_score) <= SCORE_TOLERANCE,
    `${what}: score ${score} vs ${expected.beam.sequence_score}`,
  );
}

for (const model of CAUSAL_FIXTURES) {
  describe(`native backend on the decoder-only ${model}`, () => {
    let backend: Backend;
    let cases: readonly CausalCase[];
    before(async () => {
      backend = await loadNativeBackend({ modelDir: causalFixtureDir(model), settings: { maxBatchSize: 64 } });
      cases = (await readCausalExpected(model)).cases;
    });
    after(() => backend.close());

    test('says it is decoder-only', () => {
      assert.equal(backend.info.architecture, 'decoder-only');
    });

    test('greedy and beam search give the reference new tokens (prompt excluded) and beam scores, one by one', async () => {
      for (const [index, expected] of cases.entries()) {
        const greedy = await backend.generate({ inputIds: expected.input_ids, params: GREEDY });
        assert.deepEqual(greedy.sequences[0]?.tokenIds, expected.greedy.new_tokens, `case ${index}: greedy`);
        checkBeam(await backend.generate({ inputIds: expected.input_ids, params: BEAM }), expected, `case ${index}`);
      }
    });

    test('every prompt submitted at once (greedy and beam rows in one continuous batch) equals one by one', async () => {
      const greedy = cases.map((expected) => backend.generate({ inputIds: expected.input_ids, params: GREEDY }));
      const beams = cases.map((expected) => backend.generate({ inputIds: expected.input_ids, params: BEAM }));
      const [greedyResults, beamResults] = await Promise.all([Promise.all(greedy), Promise.all(beams)]);
      greedyResults.forEach((result, index) => assert.deepEqual(result.sequences[0]?.tokenIds, cases[index]?.greedy.new_tokens));
      beamResults.forEach((result, index) => checkBeam(result, cases[index] as CausalCase, `batched case ${index}`));
    });
  });
}

describe('decoder-only generation lengths (HF v4.36 causal generate)', () => {
  let backend: Backend;
  let prompt: readonly number[];
  let reference: readonly number[];
  before(async () => {
    backend = await loadNativeBackend({ modelDir: causalFixtureDir('llama-gqa'), warmUp: false });
    const expected = (await readCausalExpected('llama-gqa')).cases[0] as CausalCase;
    prompt = expected.input_ids;
    reference = expected.greedy.new_tokens;
  });
  after(() => backend.close());

  test('max_length counts the prompt; max_new_tokens wins over it', async () => {
    const byLength = await backend.generate({
      inputIds: prompt,
      params: { numBeams: 1, doSample: false, maxLength: prompt.length + 5 },
    });
    assert.deepEqual(byLength.sequences[0]?.tokenIds, reference.slice(0, 5));
    const both = await backend.generate({ inputIds: prompt, params: { ...GREEDY, maxNewTokens: 3, maxLength: prompt.length + 5 } });
    assert.deepEqual(both.sequences[0]?.tokenIds, reference.slice(0, 3));
  });

  test("generation_config.json's max_length (default 20) counts the prompt too", async () => {
    const result = await backend.generate({ inputIds: prompt, params: { numBeams: 1, doSample: false } });
    assert.deepEqual(result.sequences[0]?.tokenIds, reference.slice(0, 20 - prompt.length));
  });

  test('any id of an eos_token_id list ends the sequence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-eos-list-'));
    try {
      await cp(causalFixtureDir('llama-gqa'), dir, { recursive: true });
      const third = reference[2] as number;
      await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: [2, third] }));
      const listed = await loadNativeBackend({ modelDir: dir, warmUp: false });
      try {
        const result = await listed.generate({ inputIds: prompt, params: GREEDY });
        assert.deepEqual(result.sequences[0]?.tokenIds, reference.slice(0, 3));
        assert.equal(result.sequences[0]?.finishReason, 'eos');
      } finally {
        await listed.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('a model type no family serves is refused at load with a 400 naming the served ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-unserved-'));
  try {
    await cp(causalFixtureDir('llama-gqa'), dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt_neox', architectures: ['GPTNeoXForCausalLM'] }));
    await assert.rejects(loadNativeBackend({ modelDir: dir, warmUp: false }), (error: unknown) => {
      assert.ok(error instanceof Error && 'httpStatus' in error && error.httpStatus === 400);
      assert.ok('expected' in error && typeof error.expected === 'string' && error.expected.includes('"llama"'), String(error));
      assert.ok(error.expected.includes('"mistral"') && error.expected.includes('"t5"'));
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
