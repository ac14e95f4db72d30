import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { pathExists } from './path-exists.js';

it('pathExists tells files and directories from missing paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-exists-'));
  await writeFile(join(dir, 'a.txt'), 'x');
  assert.equal(await pathExists(dir), true);
  assert.equal(await pathExists(join(dir, 'a.txt')), true);
  assert.equal(await pathExists(join(dir, 'missing')), false);
});
