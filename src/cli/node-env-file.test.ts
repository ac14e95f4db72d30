import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { envFilesReadByNode, refuseNodeAppliedOptions } from './node-env-file.js';

describe('envFilesReadByNode', () => {
  const args = ['config', '--env-file', 'a.env', '--json'];

  it('finds --env-file F and --env-file=F after the script when no -- precedes it', () => {
    assert.deepEqual(envFilesReadByNode(['node', 'bin/llm-deploy.js', ...args], args), ['a.env']);
    const equals = ['deploy', '--env-file=b.env', '--env-file-if-exists', 'c.env'];
    assert.deepEqual(envFilesReadByNode(['node', '--no-warnings', 'bin/llm-deploy.js', ...equals], equals), ['b.env', 'c.env']);
  });

  it('finds nothing when -- separates Node options from the script (the shebang) or comes before the flag', () => {
    assert.deepEqual(envFilesReadByNode(['node', '--', 'bin/llm-deploy.js', ...args], args), []);
    assert.deepEqual(envFilesReadByNode(['node', '--no-warnings', '--', './bin/llm-deploy.js', ...args], args), []);
    const late = ['config', '--', '--env-file', 'a.env'];
    assert.deepEqual(envFilesReadByNode(['node', 'bin/llm-deploy.js', ...late], late), []);
  });

  it('ignores flags that only start like --env-file', () => {
    const other = ['config', '--env-filex', 'a.env'];
    assert.deepEqual(envFilesReadByNode(['node', 'bin/llm-deploy.js', ...other], other), []);
  });
});

describe('refuseNodeAppliedOptions', () => {
  it('throws CLI_ENV_FILE_READ_BY_NODE (a 4xx) for a file with NODE_OPTIONS, and passes files without it or missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-node-env-'));
    const withOptions = join(dir, 'with.env');
    const without = join(dir, 'without.env');
    await writeFile(withOptions, 'MODEL_NAME=x\nexport NODE_OPTIONS="--require ./hook.cjs"\n');
    await writeFile(without, 'MODEL_NAME=x\nNODE_OPTIONS=\n');
    refuseNodeAppliedOptions([without, join(dir, 'missing.env')]);
    assert.throws(
      () => refuseNodeAppliedOptions([without, withOptions]),
      (error: unknown) =>
        LlmDeployError.isInstance(error) &&
        error.code === 'CLI_ENV_FILE_READ_BY_NODE' &&
        error.httpStatus === 400 &&
        error.file === withOptions,
    );
  });
});
