import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LlmDeployError } from '../config/index.js';
import { fixtureDir, tokenizationCases } from './fixture-cases.test.js';
import { loadTokenizer } from './load-tokenizer.js';

function scratchDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-load-tokenizer-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<LlmDeployError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.httpStatus, 400);
    return error;
  }
  throw new assert.AssertionError({ message: `expected ${code}` });
}

describe('loadTokenizer', () => {
  const cases = tokenizationCases('t5-tiny-relu');

  it('loads a directory path or a file:// URL, honouring tokenizer_config.json', async () => {
    for (const source of [fixtureDir('t5-tiny-relu'), pathToFileURL(fixtureDir('t5-tiny-relu')).href]) {
      const tokenizer = await loadTokenizer(source);
      assert.deepEqual([tokenizer.vocabSize, tokenizer.padTokenId, tokenizer.eosTokenId, tokenizer.unkTokenId], [2100, 0, 1, 2]);
      for (const c of cases) assert.deepEqual(tokenizer.encode(c.text), c.input_ids);
    }
  });

  it('gives T5 special tokens by role and leaves `</s>` off with addSpecialTokens false', async () => {
    const tokenizer = await loadTokenizer(fixtureDir('t5-tiny-relu'));
    const map = tokenizer.specialTokensMap;
    assert.deepEqual([map.eos_token, map.unk_token, map.pad_token, map.bos_token], ['</s>', '<unk>', '<pad>', undefined]);
    assert.deepEqual([map.additional_special_tokens?.length, map.additional_special_tokens?.[0]], [100, '<extra_id_0>']);
    assert.deepEqual([tokenizer.eosTokenIds, tokenizer.bosTokenId], [[1], undefined]);
    for (const c of cases) assert.deepEqual(tokenizer.encode(c.text, { addSpecialTokens: false }), c.input_ids.slice(0, -1));
  });

  it('uses legacy: false from tokenizer_config.json', async () => {
    const dir = scratchDir({ 'tokenizer_config.json': JSON.stringify({ legacy: false }) });
    copyFileSync(join(fixtureDir('t5-tiny-relu'), 'spiece.model'), join(dir, 'spiece.model'));
    const tokenizer = await loadTokenizer(dir);
    for (const c of cases) assert.deepEqual(tokenizer.encode(c.text), c.input_ids_legacy_false, JSON.stringify(c.text));
  });

  it('prefers spiece.model, and loads tokenizer.json when asked or when it is the only file', async () => {
    const dir = fixtureDir('t5-vocab-32k');
    const [fromSpiece, fromJson] = await Promise.all([loadTokenizer(dir), loadTokenizer(dir, { source: 'tokenizer.json' })]);
    const text = cases.map((c) => c.text).join(' <extra_id_3> ');
    assert.deepEqual(fromJson.encode(text), fromSpiece.encode(text));
  });

  it('names the directory and the files looked for when there is no tokenizer', async () => {
    const dir = scratchDir({ 'config.json': '{}' });
    const error = await rejectsWith(loadTokenizer(dir), 'TOKENIZER_MODEL_MISSING');
    assert.equal(error.file, dir);
    assert.match(error.message, /spiece\.model, tokenizer\.json/u);
    await rejectsWith(loadTokenizer(join(dir, 'absent')), 'TOKENIZER_MODEL_MISSING');
  });

  it('rejects corrupt files with the file named', async () => {
    const corrupt = scratchDir({ 'spiece.model': Buffer.from([0x0a, 0x05, 0x01]) });
    assert.equal((await rejectsWith(loadTokenizer(corrupt), 'TOKENIZER_MODEL_INVALID')).file, join(corrupt, 'spiece.model'));
    const text = scratchDir({ 'spiece.model': 'plain text, not a model' });
    await rejectsWith(loadTokenizer(text), 'TOKENIZER_MODEL_INVALID');
    const json = scratchDir({ 'tokenizer.json': '{"model": {"type": "Unigram"}}' });
    assert.equal((await rejectsWith(loadTokenizer(json), 'TOKENIZER_MODEL_INVALID')).field, 'model.vocab');
    // BPE is served (the decoder-only path), so a Unigram-shaped vocabulary under it is invalid; WordPiece is not served.
    const bpe = scratchDir({ 'tokenizer.json': '{"model": {"type": "BPE", "vocab": [["a", 0]], "unk_id": 0}}' });
    assert.equal((await rejectsWith(loadTokenizer(bpe), 'TOKENIZER_MODEL_INVALID')).field, 'model.vocab');
    const wordPiece = scratchDir({ 'tokenizer.json': '{"model": {"type": "WordPiece", "vocab": [["a", 0]], "unk_id": 0}}' });
    assert.equal((await rejectsWith(loadTokenizer(wordPiece), 'TOKENIZER_MODEL_UNSUPPORTED')).given, 'WordPiece');
    const config = scratchDir({ 'tokenizer_config.json': '{"legacy": "yes"}' });
    copyFileSync(join(fixtureDir('t5-tiny-relu'), 'spiece.model'), join(config, 'spiece.model'));
    assert.equal((await rejectsWith(loadTokenizer(config), 'TOKENIZER_CONFIG_INVALID')).field, 'legacy');
  });

  it('rejects negative ids and drops ids past the vocabulary when decoding', async () => {
    const tokenizer = await loadTokenizer(fixtureDir('t5-tiny-relu'));
    assert.equal(tokenizer.decode([293, 11, 308, 26, 2103, 1], { skipSpecialTokens: true }), 'Hello');
    assert.throws(
      () => tokenizer.decode([-1]),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_ID_INVALID',
    );
  });
});
