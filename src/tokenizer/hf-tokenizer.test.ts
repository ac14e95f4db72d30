// Decoder-only tokenizers against Hugging Face's own results: every case of the 4 real vocabularies (Rust
// tokenizers + transformers' clean-up) and of the 5 tiny checkpoints, ids and text exactly.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { CAUSAL_FIXTURES, REAL_VOCABULARIES, TINY_CAUSAL, realCases, tinyCases, unpackedVocabulary } from './causal-fixture-cases.test.js';
import { loadTokenizer } from './load-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

type RealCases = ReturnType<typeof realCases>['cases'];

async function assertRealCases(tokenizer: Tokenizer, cases: RealCases): Promise<void> {
  for (const c of cases) {
    const label = JSON.stringify(c.text.slice(0, 60));
    assert.deepEqual(tokenizer.encode(c.text), c.ids, label);
    assert.deepEqual(await tokenizer.encodeAsync(c.text), c.ids, label);
    assert.deepEqual(tokenizer.encode(c.text, { addSpecialTokens: false }), c.ids_no_special, label);
    assert.equal(tokenizer.decode(c.ids), c.decoded_transformers, label);
    assert.equal(tokenizer.decode(c.ids, { skipSpecialTokens: true }), c.decoded_skip_special_transformers, label);
  }
}

/** Checks of one real vocabulary beyond its cases (each vocabulary is loaded once: Gemma 3 takes seconds). */
const SPECIAL_CHECKS: Partial<Record<(typeof REAL_VOCABULARIES)[number], [string, (tokenizer: Tokenizer) => void]>> = {
  qwen3: [
    'Qwen3: no BOS, eos <|im_end|>, <think> is an added token but not special',
    (tokenizer) => {
      assert.equal(tokenizer.bosTokenId, undefined);
      assert.equal(tokenizer.specialTokensMap.eos_token, '<|im_end|>');
      assert.equal(tokenizer.specialTokensMap.pad_token, '<|endoftext|>');
      assert.equal(tokenizer.specialTokensMap.additional_special_tokens?.[0], '<|im_start|>');
      const [think] = tokenizer.encode('<think>', { addSpecialTokens: false });
      assert.ok(think !== undefined && !tokenizer.isSpecial(think));
      assert.ok(tokenizer.isSpecial(tokenizer.eosTokenId));
      assert.equal(tokenizer.decode([think, tokenizer.eosTokenId], { skipSpecialTokens: true }), '<think>');
    },
  ],
  gemma3: [
    'Gemma 3: <bos> added, eos <end_of_turn>, the added token beyond the vocabulary counted',
    (tokenizer) => {
      assert.deepEqual([tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.eosTokenIds], [2, 106, [106]]);
      assert.equal(tokenizer.encode('Hi')[0], 2);
      assert.equal(tokenizer.specialTokensMap.bos_token, '<bos>');
      assert.equal(tokenizer.vocabSize, 262_145);
    },
  ],
};

for (const name of REAL_VOCABULARIES) {
  describe(`tokenizer.json of ${name} (real vocabulary) matches Hugging Face`, () => {
    const { dir, cleanup } = unpackedVocabulary(name, name === 'gpt2' ? ['vocab.json', 'merges.txt'] : []);
    // Loaded on first use and dropped after the suite, so one large vocabulary is held at a time.
    let loaded: Promise<Tokenizer> | undefined;
    const tokenizer = (): Promise<Tokenizer> => (loaded ??= loadTokenizer(dir));
    after(() => {
      loaded = undefined;
      cleanup();
    });
    it('gives the ids and decodes of all 67 cases', { timeout: 120_000 }, async () => {
      await assertRealCases(await tokenizer(), realCases(name).cases);
    });
    const special = SPECIAL_CHECKS[name];
    if (special !== undefined) it(special[0], { timeout: 120_000 }, async () => special[1](await tokenizer()));
  });
}

describe('GPT-2 slow files (vocab.json + merges.txt, no tokenizer.json)', () => {
  const { dir, cleanup } = unpackedVocabulary('gpt2', ['tokenizer.json']);
  after(cleanup);
  it('are converted as transformers does and give all 67 cases', { timeout: 120_000 }, async () => {
    const tokenizer = await loadTokenizer(dir);
    await assertRealCases(tokenizer, realCases('gpt2').cases);
    assert.deepEqual([tokenizer.eosTokenId, tokenizer.bosTokenId, tokenizer.padTokenId, tokenizer.vocabSize], [50256, 50256, 50256, 50257]);
  });
});

for (const name of TINY_CAUSAL) {
  describe(`tokenizer of ${name} matches Hugging Face`, async () => {
    const expected = tinyCases(name);
    const tokenizer = await loadTokenizer(join(CAUSAL_FIXTURES, name));

    it('gives the ids and the fast tokenizer decodes of all 42 cases', async () => {
      for (const c of expected.tokenization) {
        const label = JSON.stringify(c.text.slice(0, 60));
        assert.deepEqual(tokenizer.encode(c.text), c.input_ids, label);
        assert.deepEqual(await tokenizer.encodeAsync(c.text), c.input_ids, label);
        assert.deepEqual(tokenizer.encode(c.text, { addSpecialTokens: false }), c.input_ids_no_special, label);
        assert.equal(tokenizer.decode(c.input_ids), c.rust_tokenizer_json.decoded, label);
        assert.equal(tokenizer.decode(c.input_ids, { skipSpecialTokens: true }), c.rust_tokenizer_json.decoded_skip_special, label);
      }
    });

    it('names its special tokens by role, with their ids', () => {
      const roles = expected.tokenizer;
      const map = tokenizer.specialTokensMap;
      assert.deepEqual(
        [map.bos_token, map.eos_token, map.pad_token, map.unk_token],
        [roles.bos_token, roles.eos_token, roles.pad_token, roles.unk_token],
      );
      assert.deepEqual(
        [tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.padTokenId],
        [roles.bos_token_id, roles.eos_token_id, roles.pad_token_id],
      );
    });
  });
}

describe('loadTokenizer on decoder-only directories', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-causal-tokenizer-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('builds GPT-2 slow files (vocab.json + merges.txt) like their tokenizer.json', async () => {
    const dir = join(scratch, 'gpt2-slow');
    mkdirSync(dir);
    for (const file of ['vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
      copyFileSync(join(CAUSAL_FIXTURES, 'gpt2-tiny', file), join(dir, file));
    }
    const tokenizer = await loadTokenizer(dir);
    for (const c of tinyCases('gpt2-tiny').tokenization) {
      assert.deepEqual(tokenizer.encode(c.text), c.input_ids, JSON.stringify(c.text));
      assert.equal(tokenizer.decode(c.input_ids), c.rust_tokenizer_json.decoded, JSON.stringify(c.text));
    }
  });

  it('honours add_bos_token of GPT-2 slow files: the BOS template GPT2Converter writes', async () => {
    const dir = join(scratch, 'gpt2-slow-bos');
    mkdirSync(dir);
    for (const file of ['vocab.json', 'merges.txt']) copyFileSync(join(CAUSAL_FIXTURES, 'gpt2-tiny', file), join(dir, file));
    writeFileSync(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ add_bos_token: true, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' }),
    );
    const tokenizer = await loadTokenizer(dir);
    for (const c of tinyCases('gpt2-tiny').tokenization) {
      assert.deepEqual(tokenizer.encode(c.text), [1256, ...c.input_ids_no_special], JSON.stringify(c.text));
      assert.deepEqual(await tokenizer.encodeAsync(c.text, { addSpecialTokens: false }), c.input_ids_no_special, JSON.stringify(c.text));
    }
  });

  it('reads a lone surrogate as U+FFFD, refuses negative ids and drops ids past the vocabulary', async () => {
    const tokenizer = await loadTokenizer(join(CAUSAL_FIXTURES, 'llama-gqa'));
    assert.deepEqual(tokenizer.encode('a\ud800b'), tokenizer.encode('a\ufffdb'));
    assert.deepEqual(await tokenizer.encodeAsync('a\udfffb'), tokenizer.encode('a\ufffdb'));
    assert.equal(tokenizer.decode([1, 628, tokenizer.vocabSize + 5]), tokenizer.decode([1, 628]));
    assert.throws(
      () => tokenizer.decode([628, -1]),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_ID_INVALID' && error.httpStatus === 400,
    );
  });

  it('refuses tokenizer.model alone (Llama 2 slow), naming tokenizer.json', async () => {
    const dir = join(scratch, 'llama-slow');
    mkdirSync(dir);
    copyFileSync(join(CAUSAL_FIXTURES, 'llama-gqa', 'tokenizer.model'), join(dir, 'tokenizer.model'));
    await assert.rejects(loadTokenizer(dir), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error));
      assert.equal(error.code, 'TOKENIZER_MODEL_UNSUPPORTED');
      assert.equal(error.httpStatus, 400);
      assert.match(error.expected ?? '', /tokenizer\.json/);
      return true;
    });
  });
});
