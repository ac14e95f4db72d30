// ByT5Tokenizer parity with the HF-made cases of test/fixtures/seq2seq/byt5-tiny/expected.json.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LlmDeployError } from '../config/index.js';
import { ByT5Tokenizer } from './byt5-tokenizer.js';
import { fixtureDir } from './fixture-cases.test.js';
import { loadTokenizer } from './load-tokenizer.js';

const dir = fixtureDir('seq2seq/byt5-tiny');
const caseSchema = z.object({
  text: z.string(),
  input_ids: z.array(z.number().int()),
  input_ids_no_special: z.array(z.number().int()),
  tokens: z.array(z.string()),
  decoded: z.string(),
  decoded_skip_special: z.string(),
});
const expected = z
  .object({
    tokenization: z.array(caseSchema).min(40),
    cases: z.array(z.object({ greedy: z.object({ sequence: z.array(z.number()), decoded_skip_special: z.string() }) })),
  })
  .parse(JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')));
const scratch = await mkdtemp(join(tmpdir(), 'llm-deploy-byt5-'));
after(() => rm(scratch, { recursive: true, force: true }));

describe('ByT5Tokenizer of byt5-tiny matches HF', async () => {
  const tokenizer = await loadTokenizer(dir);
  assert.ok(tokenizer instanceof ByT5Tokenizer, 'tokenizer_config.json names ByT5Tokenizer');

  it('is the byte tokenizer: 384 ids, pad 0, eos 1, unk 2, <extra_id_0> = 259 counting up', () => {
    assert.deepEqual([tokenizer.vocabSize, tokenizer.padTokenId, tokenizer.eosTokenId, tokenizer.unkTokenId], [384, 0, 1, 2]);
    assert.deepEqual(tokenizer.convertIdsToTokens([259, 260, 383, 3 + 0xc3]), ['<extra_id_0>', '<extra_id_1>', '<extra_id_124>', 'Ã']);
  });

  it('encodes every case, at once and in slices', async () => {
    for (const item of expected.tokenization) {
      assert.deepEqual(tokenizer.encode(item.text), item.input_ids, JSON.stringify(item.text));
      assert.deepEqual(await tokenizer.encodeAsync(item.text, { sliceMs: 0 }), item.input_ids, JSON.stringify(item.text));
    }
  });

  it('turns ids into HF tokens', () => {
    for (const item of expected.tokenization)
      assert.deepEqual(tokenizer.convertIdsToTokens(item.input_ids), item.tokens, JSON.stringify(item.text));
  });

  it('decodes every case, with and without special tokens', () => {
    for (const item of expected.tokenization) {
      assert.equal(tokenizer.decode(item.input_ids), item.decoded, JSON.stringify(item.text));
      assert.equal(tokenizer.decode(item.input_ids, { skipSpecialTokens: true }), item.decoded_skip_special, JSON.stringify(item.text));
    }
  });

  it("decodes the random model's outputs, invalid UTF-8 dropped as errors='ignore' does", () => {
    const invalid = expected.cases.filter((item) => {
      const bytes = item.greedy.sequence.filter((id) => id >= 3 && id < 259).map((id) => id - 3);
      return new TextDecoder().decode(Uint8Array.from(bytes)).includes('\ufffd');
    });
    assert.ok(invalid.length > 0, 'some reference output holds invalid UTF-8');
    for (const item of expected.cases)
      assert.equal(tokenizer.decode(item.greedy.sequence, { skipSpecialTokens: true }), item.greedy.decoded_skip_special);
  });

  it('refuses an added token on a byte id, and reads a config without sentinels with the 125 defaults', async () => {
    const bad = join(scratch, 'bad');
    const plain = join(scratch, 'plain');
    for (const [path, config] of [
      [bad, { tokenizer_class: 'ByT5Tokenizer', added_tokens_decoder: { '100': { content: '<x>' } } }],
      [plain, { tokenizer_class: 'ByT5Tokenizer' }],
    ] as const) {
      await mkdir(path);
      await writeFile(join(path, 'tokenizer_config.json'), JSON.stringify(config));
    }
    await assert.rejects(loadTokenizer(bad), (error: unknown) => {
      assert.ok(
        LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_CONFIG_INVALID' && error.field === 'added_tokens_decoder.100',
      );
      return true;
    });
    const defaults = await loadTokenizer(plain);
    assert.equal(defaults.vocabSize, 384);
    assert.deepEqual(defaults.encode('a <extra_id_124>'), [100, 35, 383, 1]);
  });
});
