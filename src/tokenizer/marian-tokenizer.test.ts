// MarianTokenizer parity on test/fixtures/seq2seq/marian-tiny: every reference string of expected.json (made with
// transformers 4.36's slow MarianTokenizer) encoded id-exact on both sides and decoded as HF decodes it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { z } from 'zod';
import { LlmDeployError } from '../config/index.js';
import { loadTokenizer } from './load-tokenizer.js';
import { MarianTokenizer } from './marian-tokenizer.js';

const DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'seq2seq', 'marian-tiny');
const ids = z.array(z.number().int());
const expected = z
  .object({
    tokenization: z.array(
      z.object({
        text: z.string(),
        input_ids: ids,
        input_ids_no_special: ids,
        decoded: z.string(),
        decoded_skip_special: z.string(),
        decoded_use_source_tokenizer: z.string(),
        target_side: z.object({ input_ids: ids, decoded: z.string(), decoded_skip_special: z.string() }),
      }),
    ),
    cases: z.array(z.object({ text: z.string(), input_ids: ids, greedy: z.object({ sequence: ids, decoded_skip_special: z.string() }) })),
  })
  .parse(JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')));

describe('MarianTokenizer on marian-tiny (source.spm + target.spm + vocab.json)', () => {
  let tokenizer: MarianTokenizer;
  before(async () => {
    const loaded = await loadTokenizer(DIR);
    assert.ok(loaded instanceof MarianTokenizer);
    tokenizer = loaded;
  });

  it('has the reference special ids: </s> 0, <unk> 1, <pad> 1646, 1647 ids', () => {
    assert.deepEqual([tokenizer.eosTokenId, tokenizer.unkTokenId, tokenizer.padTokenId, tokenizer.vocabSize], [0, 1, 1646, 1647]);
    assert.ok(tokenizer.isSpecial(1646) && !tokenizer.isSpecial(2), '<pad> is special, >>de<< is not');
  });

  it('encodes all 40 strings id-exact with source.spm, with and without </s>, and asynchronously', async () => {
    assert.equal(expected.tokenization.length, 40);
    for (const item of expected.tokenization) {
      const what = JSON.stringify(item.text);
      assert.deepEqual(tokenizer.encode(item.text), item.input_ids, what);
      assert.deepEqual(tokenizer.encode(item.text, { addSpecialTokens: false }), item.input_ids_no_special, what);
      assert.deepEqual(await tokenizer.encodeAsync(item.text, { sliceMs: 1 }), item.input_ids, what);
    }
    for (const item of expected.cases) assert.deepEqual(tokenizer.encode(item.text), item.input_ids, item.text.slice(0, 40));
  });

  it('encodes all 40 strings id-exact on the target side (text_target, target.spm)', () => {
    for (const item of expected.tokenization)
      assert.deepEqual(tokenizer.encodeTarget(item.text), item.target_side.input_ids, JSON.stringify(item.text));
  });

  it('decodes with target.spm by default and with source.spm on request, with and without special tokens', () => {
    for (const item of expected.tokenization) {
      const what = JSON.stringify(item.text);
      assert.equal(tokenizer.decode(item.input_ids), item.decoded, what);
      assert.equal(tokenizer.decode(item.input_ids, { skipSpecialTokens: true }), item.decoded_skip_special, what);
      assert.equal(tokenizer.decode(item.input_ids, { useSourceTokenizer: true }), item.decoded_use_source_tokenizer, what);
      assert.equal(tokenizer.decode(item.target_side.input_ids), item.target_side.decoded, what);
      assert.equal(tokenizer.decode(item.target_side.input_ids, { skipSpecialTokens: true }), item.target_side.decoded_skip_special, what);
    }
    for (const item of expected.cases)
      assert.equal(tokenizer.decode(item.greedy.sequence, { skipSpecialTokens: true }), item.greedy.decoded_skip_special);
  });
});

describe('MarianTokenizer files it refuses', () => {
  const refusal = async (change: (dir: string) => Promise<void>, code: string, field: string): Promise<void> => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-marian-tokenizer-'));
    try {
      await cp(DIR, dir, { recursive: true });
      await change(dir);
      await assert.rejects(
        loadTokenizer(dir),
        (error: unknown) => LlmDeployError.isInstance(error) && error.code === code && error.field === field,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('separate_vocabs true (a target_vocab.json) is refused as not implemented, naming the field', async () => {
    const config = z
      .object({})
      .loose()
      .parse(JSON.parse(readFileSync(join(DIR, 'tokenizer_config.json'), 'utf8')));
    await refusal(
      (dir) => writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, separate_vocabs: true })),
      'TOKENIZER_MODEL_UNSUPPORTED',
      'separate_vocabs',
    );
  });

  it('a vocab.json that maps a token to something other than an id, naming the token', async () => {
    await refusal(
      (dir) => writeFile(join(dir, 'vocab.json'), JSON.stringify({ '</s>': 0, '<unk>': 'one' })),
      'TOKENIZER_MODEL_INVALID',
      '<unk>',
    );
  });
});
