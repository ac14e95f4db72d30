import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileDigest } from './file-digest.js';

describe('file digests the Hub lists', () => {
  it('git blob ids and sha256 match what git and sha256sum print', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-digest-'));
    try {
      await writeFile(join(dir, 'hello'), 'hello\n');
      await writeFile(join(dir, 'empty'), '');
      // `printf 'hello\n' | git hash-object --stdin` and git's well-known empty blob id
      assert.equal(await fileDigest(join(dir, 'hello'), 'git-blob-sha1'), 'ce013625030ba8dba906f756967f9e9ca394464a');
      assert.equal(await fileDigest(join(dir, 'empty'), 'git-blob-sha1'), 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
      // `printf 'hello\n' | sha256sum`
      assert.equal(await fileDigest(join(dir, 'hello'), 'sha256'), '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
