import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { loadTokenizer } from './load-tokenizer.js';

// Tokenizer files that are not what they claim: each fails with a TOKENIZER_ error quickly and without
// reading more than the size cap.
const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-hostile-tokenizer-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

function tokenizerDir(files: readonly string[] = []): string {
  const dir = join(scratch, `case-${(counter += 1)}`);
  mkdirSync(dir);
  for (const name of files) copyFileSync(join(fixtures, 't5-vocab-32k', name), join(dir, name));
  return dir;
}

function rejectsWith(code: string, given?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.httpStatus, 400);
    if (given !== undefined) assert.match(error.given ?? '', given, error.message);
    assert.doesNotMatch(error.message, /call stack/);
    return true;
  };
}

describe('hostile tokenizer files', () => {
  it('spiece.model linked to /dev/urandom fails at once instead of reading forever', { timeout: 20_000 }, async () => {
    const dir = tokenizerDir();
    symlinkSync('/dev/urandom', join(dir, 'spiece.model'));
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_INVALID', /character device/));
  });

  it('a FIFO as spiece.model or tokenizer_config.json fails instead of waiting for a writer', { timeout: 20_000 }, async () => {
    const model = tokenizerDir();
    execFileSync('mkfifo', [join(model, 'spiece.model')]);
    await assert.rejects(loadTokenizer(model), rejectsWith('TOKENIZER_MODEL_INVALID', /FIFO/));
    const config = tokenizerDir(['spiece.model']);
    execFileSync('mkfifo', [join(config, 'tokenizer_config.json')]);
    await assert.rejects(loadTokenizer(config), rejectsWith('TOKENIZER_CONFIG_INVALID', /FIFO/));
  });

  it('a dangling spiece.model is named, not skipped in favour of tokenizer.json', async () => {
    const dir = tokenizerDir(['tokenizer.json', 'tokenizer_config.json']);
    symlinkSync(join(scratch, 'no-such-blob'), join(dir, 'spiece.model'));
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_INVALID', /dangling/));
  });

  it('a few MB of random bytes as spiece.model is TOKENIZER_MODEL_INVALID', { timeout: 20_000 }, async () => {
    const dir = tokenizerDir();
    writeFileSync(join(dir, 'spiece.model'), randomBytes(4 * 1024 * 1024));
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_INVALID'));
  });

  it('a spiece.model past the size cap is refused before it is read', async () => {
    const dir = tokenizerDir();
    writeFileSync(join(dir, 'spiece.model'), Buffer.alloc(65 * 1024 * 1024));
    await assert.rejects(loadTokenizer(dir), rejectsWith('TOKENIZER_MODEL_INVALID', /bytes/));
  });

  it('tokenizer.json with normalizers nested 100k deep fails naming the file, not with a stack overflow', async () => {
    const dir = tokenizerDir(['tokenizer_config.json']);
    const levels = 100_000;
    const text = `{"normalizer": ${'{"type": "Sequence", "normalizers": ['.repeat(levels)}${']}'.repeat(levels)}, "model": {"vocab": [["a", 0]]}}`;
    writeFileSync(join(dir, 'tokenizer.json'), text);
    await assert.rejects(loadTokenizer(dir), (error: unknown) => {
      assert.ok(rejectsWith('TOKENIZER_MODEL_INVALID', /levels/)(error));
      assert.ok(LlmDeployError.isInstance(error) && error.file === join(dir, 'tokenizer.json'));
      return true;
    });
  });
});
