import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { readGenerationConfig } from './generation-config.js';
import { readT5Config } from './t5-config.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = await mkdtemp(join(tmpdir(), 'llm-deploy-generation-'));
after(() => rm(scratch, { recursive: true, force: true }));

let counter = 0;
async function dirWith(files: Record<string, unknown>): Promise<string> {
  const dir = join(scratch, `case-${(counter += 1)}`);
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(content));
  return dir;
}

function assertModelError(code: string, facts: { file?: string; field?: string; given?: string }) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const key of ['file', 'field', 'given'] as const) if (facts[key] !== undefined) assert.equal(error[key], facts[key]);
    return true;
  };
}

describe('readGenerationConfig', () => {
  it('reads the fixture file with HF defaults filled in', async () => {
    const dir = join(fixtures, 't5-tiny-gated');
    const generation = await readGenerationConfig(dir, await readT5Config(dir));
    assert.equal(generation.maxLength, 20);
    assert.equal(generation.numBeams, 1);
    assert.equal(generation.lengthPenalty, 1);
    assert.equal(generation.earlyStopping, false);
    assert.equal(generation.decoderStartTokenId, 0);
    assert.equal(generation.eosTokenId, 1);
    assert.equal(generation.padTokenId, 0);
    assert.equal(generation.maxNewTokens, undefined);
    assert.equal(generation.topK, 50);
    assert.equal(generation.topP, 1);
    assert.equal(generation.doSample, false);
  });

  it('reads every field a generation_config.json may set', async () => {
    const dir = await dirWith({
      'config.json': { model_type: 't5' },
      'generation_config.json': {
        max_new_tokens: 64,
        min_new_tokens: 2,
        min_length: 3,
        num_beams: 4,
        do_sample: true,
        temperature: 0.7,
        top_k: 10,
        top_p: 0.9,
        repetition_penalty: 1.2,
        length_penalty: 0.8,
        no_repeat_ngram_size: 3,
        early_stopping: 'never',
        num_return_sequences: 2,
        decoder_start_token_id: 5,
        eos_token_id: [7, 1],
        pad_token_id: 6,
      },
    });
    const generation = await readGenerationConfig(dir, await readT5Config(dir));
    assert.deepEqual(generation, {
      maxLength: 20,
      maxNewTokens: 64,
      minLength: 3,
      minNewTokens: 2,
      numBeams: 4,
      doSample: true,
      temperature: 0.7,
      topK: 10,
      topP: 0.9,
      repetitionPenalty: 1.2,
      lengthPenalty: 0.8,
      noRepeatNgramSize: 3,
      earlyStopping: 'never',
      numReturnSequences: 2,
      decoderStartTokenId: 5,
      eosTokenId: 7,
      eosTokenIds: [7, 1],
      padTokenId: 6,
    });
  });

  it('derives from config.json when the file is absent', async () => {
    const dir = await dirWith({
      'config.json': { model_type: 't5', num_beams: 4, early_stopping: true, max_length: 200, eos_token_id: [1, 5], pad_token_id: 3 },
    });
    const generation = await readGenerationConfig(dir, await readT5Config(dir));
    assert.equal(generation.numBeams, 4);
    assert.equal(generation.earlyStopping, true);
    assert.equal(generation.maxLength, 200);
    assert.equal(generation.eosTokenId, 1);
    assert.equal(generation.padTokenId, 3);
    assert.equal(generation.decoderStartTokenId, 3);
  });

  it('names an invalid field of generation_config.json', async () => {
    const dir = await dirWith({
      'config.json': { model_type: 't5' },
      'generation_config.json': { early_stopping: 'sometimes', max_new_tokens: 5 },
    });
    const config = await readT5Config(dir);
    await assert.rejects(
      readGenerationConfig(dir, config),
      assertModelError('MODEL_CONFIG_INVALID', {
        file: join(dir, 'generation_config.json'),
        field: 'early_stopping',
        given: '"sometimes"',
      }),
    );
  });

  it('refuses at load what would make every request fail: out-of-range or inconsistent settings', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ num_beams: 1_000_000 }, 'num_beams', '1000000'],
      [{ num_return_sequences: 300, num_beams: 300 }, 'num_beams', '300'],
      [{ no_repeat_ngram_size: 5000 }, 'no_repeat_ngram_size', '5000'],
      [{ max_length: 1e12 }, 'max_length', '1000000000000'],
      [{ max_new_tokens: 1e12 }, 'max_new_tokens', '1000000000000'],
      [{ num_beams: 2, num_return_sequences: 3 }, 'num_return_sequences', '3'],
      [{ num_return_sequences: 2 }, 'num_return_sequences', '2'],
      [{ min_length: 50, max_length: 10 }, 'min_length', '50'],
      [{ min_new_tokens: 9, max_new_tokens: 4 }, 'min_new_tokens', '9'],
      [{ do_sample: true, temperature: 0 }, 'temperature', '0'],
      [{ do_sample: true, top_p: 0 }, 'top_p', '0'],
      [{ eos_token_id: 40_000 }, 'eos_token_id', '40000'],
      [{ pad_token_id: 32_128 }, 'pad_token_id', '32128'],
      [{ decoder_start_token_id: 99_999 }, 'decoder_start_token_id', '99999'],
    ];
    for (const [settings, field, given] of cases) {
      const dir = await dirWith({ 'config.json': { model_type: 't5', vocab_size: 32_128 }, 'generation_config.json': settings });
      await assert.rejects(
        readGenerationConfig(dir, await readT5Config(dir)),
        assertModelError('MODEL_CONFIG_INVALID', { file: join(dir, 'generation_config.json'), field, given }),
        JSON.stringify(settings),
      );
    }
  });
});

describe('forced tokens (HF ForcedBOS / ForcedEOS)', () => {
  const facts = { decoderStartTokenId: 2, eosTokenId: 2, padTokenId: 1, vocabSize: 10, raw: {} };
  it('reads forced_bos_token_id and forced_eos_token_id (an id or a list) from generation_config.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-forced-'));
    try {
      await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ forced_bos_token_id: 0, forced_eos_token_id: [2, 3] }));
      const config = await readGenerationConfig(dir, facts);
      assert.equal(config.forcedBosTokenId, 0);
      assert.deepEqual(config.forcedEosTokenIds, [2, 3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to config.json when generation_config.json is absent; null forces nothing; out of vocabulary is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-forced-'));
    try {
      const fromConfig = await readGenerationConfig(dir, { ...facts, raw: { forced_bos_token_id: null, forced_eos_token_id: 2 } });
      assert.equal(fromConfig.forcedBosTokenId, undefined);
      assert.deepEqual(fromConfig.forcedEosTokenIds, [2]);
      await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ forced_bos_token_id: 10 }));
      await assert.rejects(
        readGenerationConfig(dir, facts),
        (error: unknown) => LlmDeployError.isInstance(error) && error.field === 'forced_bos_token_id',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('bad_words_ids (HF NoBadWordsLogitsProcessor)', () => {
  it("reads marian-tiny's [[1646]] (<pad> banned) next to its forced </s>", async () => {
    const dir = join(fixtures, 'seq2seq', 'marian-tiny');
    const generation = await readGenerationConfig(dir, {
      decoderStartTokenId: 1646,
      eosTokenId: 0,
      padTokenId: 1646,
      vocabSize: 1647,
      raw: {},
    });
    assert.deepEqual(generation.badWordsIds, [[1646]]);
    assert.deepEqual(generation.forcedEosTokenIds, [0]);
    assert.equal(generation.decoderStartTokenId, 1646);
  });

  it('refuses what HF refuses: not a non-empty list of id lists, an empty sequence, an id past the vocabulary', async () => {
    const facts = { decoderStartTokenId: 2, eosTokenId: 2, padTokenId: 1, vocabSize: 10, raw: {} };
    for (const badWordsIds of [[], [3], [[]], [[-1]], [[10]]]) {
      const dir = await dirWith({ 'generation_config.json': { bad_words_ids: badWordsIds } });
      await assert.rejects(
        readGenerationConfig(dir, facts),
        (error: unknown) =>
          assertModelError('MODEL_CONFIG_INVALID', {})(error) &&
          LlmDeployError.isInstance(error) &&
          /^bad_words_ids\b/.test(error.field ?? ''),
        JSON.stringify(badWordsIds),
      );
    }
  });
});
