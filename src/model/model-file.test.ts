import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { entryExists, openModelFileSync, readModelFile } from './model-file.js';

const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-model-file-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function refused(code: string, given: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.given ?? '', given, error.message);
    return true;
  };
}

describe('model file opener', () => {
  const regular = join(scratch, 'regular.json');
  writeFileSync(regular, '{"a": 1}');

  it('reads regular files, directly or through a symlink, and gives undefined for an absent optional file', async () => {
    symlinkSync(regular, join(scratch, 'link.json'));
    assert.equal((await readModelFile(join(scratch, 'link.json'), { expected: 'json', maxBytes: 100 }))?.toString(), '{"a": 1}');
    assert.equal(await readModelFile(join(scratch, 'absent.json'), { expected: 'json', maxBytes: 100, optional: true }), undefined);
    await assert.rejects(readModelFile(join(scratch, 'absent.json'), { expected: 'json', maxBytes: 100 }), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error) && error.code === 'MODEL_FILE_MISSING');
      return true;
    });
    const opened = openModelFileSync(regular, 'json');
    assert.equal(opened.bytes, 8);
    closeSync(opened.descriptor);
  });

  it('refuses FIFOs (sync and async, without blocking), directories, devices and oversized files', { timeout: 20_000 }, async () => {
    const fifo = join(scratch, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => openModelFileSync(fifo, 'weights'), refused('MODEL_FILE_NOT_REGULAR', /FIFO/));
    await assert.rejects(readModelFile(fifo, { expected: 'json', maxBytes: 100 }), refused('MODEL_FILE_NOT_REGULAR', /FIFO/));
    const folder = join(scratch, 'folder');
    mkdirSync(folder);
    assert.throws(() => openModelFileSync(folder, 'weights'), refused('MODEL_FILE_NOT_REGULAR', /directory/));
    assert.throws(() => openModelFileSync('/dev/zero', 'weights'), refused('MODEL_FILE_NOT_REGULAR', /character device/));
    await assert.rejects(readModelFile(regular, { expected: 'json', maxBytes: 7 }), refused('MODEL_FILE_TOO_LARGE', /^8 bytes$/));
  });

  it('names a dangling symlink, which still counts as an entry so callers do not skip it', async () => {
    const dangling = join(scratch, 'dangling');
    symlinkSync(join(scratch, 'nowhere'), dangling);
    assert.equal(await entryExists(dangling), true);
    assert.equal(await entryExists(join(scratch, 'nowhere')), false);
    assert.throws(() => openModelFileSync(dangling, 'weights'), refused('MODEL_FILE_NOT_REGULAR', /dangling/));
    await assert.rejects(
      readModelFile(dangling, { expected: 'json', maxBytes: 100, optional: true }),
      refused('MODEL_FILE_NOT_REGULAR', /dangling/),
    );
  });
});
