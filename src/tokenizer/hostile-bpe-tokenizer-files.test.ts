import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { CAUSAL_FIXTURES } from './causal-fixture-cases.test.js';
import { loadTokenizer } from './load-tokenizer.js';

// Decoder-only tokenizer files that are not what they claim get the clear TOKENIZER_ errors the T5 path gives,
// never an exception from inside Hugging Face's code or a stack overflow.
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-hostile-bpe-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

const CONFIG = JSON.stringify({ eos_token: '</s>' });

/** A directory with tokenizer_config.json and the given tokenizer.json text (or the gpt2-tiny slow files). */
function dirWith(files: Record<string, string>, copies: readonly string[] = []): string {
  const dir = join(scratch, `case-${(counter += 1)}`);
  mkdirSync(dir);
  for (const name of copies) copyFileSync(join(CAUSAL_FIXTURES, 'gpt2-tiny', name), join(dir, name));
  for (const [name, content] of Object.entries({ 'tokenizer_config.json': CONFIG, ...files })) writeFileSync(join(dir, name), content);
  return dir;
}

const ADDED_EOS = { id: 3, content: '</s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };

/** A small valid BPE tokenizer.json, with `patch` merged into its top level or its model. */
function bpeJson(patch: Record<string, unknown> = {}, modelPatch: Record<string, unknown> = {}): string {
  const model = { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, '</s>': 3 }, merges: ['a b'], ...modelPatch };
  const parts = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null };
  return JSON.stringify({ added_tokens: [ADDED_EOS], ...parts, ...patch, model });
}

function rejectsWith(code: string, field?: string, given?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.httpStatus, 400);
    if (field !== undefined) assert.equal(error.field, field, error.message);
    if (given !== undefined) assert.match(error.given ?? '', given, error.message);
    assert.doesNotMatch(error.message, /call stack/);
    return true;
  };
}

describe('hostile BPE tokenizer files', () => {
  it('a valid small BPE tokenizer.json loads (the baseline the cases below break)', async () => {
    const tokenizer = await loadTokenizer(dirWith({ 'tokenizer.json': bpeJson() }));
    assert.deepEqual(tokenizer.encode('ab</s>'), [2, 3]);
    assert.equal(tokenizer.eosTokenId, 3);
  });

  it('pre-tokenizers nested 100k deep fail naming the file, not with a stack overflow', async () => {
    const levels = 100_000;
    const nested = `${'{"type": "Sequence", "pretokenizers": ['.repeat(levels)}${']}'.repeat(levels)}`;
    const dir = dirWith({ 'tokenizer.json': `{"pre_tokenizer": ${nested}, "model": {"type": "BPE", "vocab": {}, "merges": []}}` });
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_INVALID', undefined, /levels/));
  });

  it('wrong types name the field', async () => {
    const cases: [string, string][] = [
      [bpeJson({}, { vocab: [['a', 0]] }), 'model.vocab'],
      [bpeJson({}, { vocab: { a: 'zero' } }), 'model.vocab.a'],
      [bpeJson({}, { vocab: { a: -1 } }), 'model.vocab.a'],
      [bpeJson({}, { merges: [7] }), 'model.merges.0'],
      [bpeJson({}, { merges: [['a', 'b', 'c']] }), 'model.merges.0'],
      [bpeJson({}, { merges: 'a b' }), 'model.merges'],
      [bpeJson({ added_tokens: [{ id: '3', content: '</s>' }] }), 'added_tokens.0.id'],
      [bpeJson({ normalizer: { type: 7 } }), 'normalizer.type'],
      [bpeJson({ decoder: 'ByteLevel' }), 'decoder'],
    ];
    for (const [text, field] of cases) {
      await assert.rejects(loadTokenizer(dirWith({ 'tokenizer.json': text })), rejectsWith('TOKENIZER_MODEL_INVALID', field), text);
    }
  });

  it('a component Hugging Face does not know is TOKENIZER_MODEL_UNSUPPORTED', async () => {
    const dir = dirWith({ 'tokenizer.json': bpeJson({ normalizer: { type: 'Bogus' } }) });
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_UNSUPPORTED', undefined, /Bogus/));
    // What only the Rust loader checks is named too (the fields serde requires).
    const partial = bpeJson({ added_tokens: [{ id: 3, content: '</s>', special: true }] });
    await assert.rejects(
      loadTokenizer(dirWith({ 'tokenizer.json': partial })),
      rejectsWith('TOKENIZER_MODEL_UNSUPPORTED', undefined, /single_word/),
    );
  });

  it('a tokenizer.json past the size cap is refused before it is read', async () => {
    const dir = dirWith({ 'tokenizer.json': '' });
    truncateSync(join(dir, 'tokenizer.json'), 300 * 1024 * 1024);
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_INVALID', undefined, /bytes/));
  });

  it('an eos_token missing from the vocabulary, or none at all, is TOKENIZER_CONFIG_INVALID', async () => {
    const missing = dirWith({ 'tokenizer.json': bpeJson(), 'tokenizer_config.json': JSON.stringify({ eos_token: '<eos>' }) });
    await assert.rejects(loadTokenizer(missing), rejectsWith('TOKENIZER_CONFIG_INVALID', 'eos_token', /<eos>/));
    const none = dirWith({ 'tokenizer.json': bpeJson(), 'tokenizer_config.json': '{}' });
    await assert.rejects(loadTokenizer(none), rejectsWith('TOKENIZER_CONFIG_INVALID', 'eos_token'));
    const wrongType = dirWith({ 'tokenizer.json': bpeJson(), 'tokenizer_config.json': JSON.stringify({ eos_token: 3 }) });
    await assert.rejects(loadTokenizer(wrongType), rejectsWith('TOKENIZER_CONFIG_INVALID', 'eos_token'));
  });

  it('GPT-2 slow files: a bad merges.txt line or a vocab.json of the wrong shape names the file', async () => {
    const merges = dirWith({ 'merges.txt': '#version: 0.2\nĠ t\nonly-one\n' }, ['vocab.json', 'tokenizer_config.json']);
    await assert.rejects(loadTokenizer(merges), (error: unknown) => {
      assert.ok(rejectsWith('TOKENIZER_MODEL_INVALID')(error));
      assert.ok(LlmDeployError.isInstance(error) && error.file === join(merges, 'merges.txt') && error.line === 3);
      return true;
    });
    const vocab = dirWith({ 'vocab.json': '["a", "b"]' }, ['merges.txt', 'tokenizer_config.json']);
    await assert.rejects(loadTokenizer(vocab), rejectsWith('TOKENIZER_MODEL_INVALID'));
  });
});
