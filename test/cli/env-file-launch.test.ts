import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runProcess, type CliRun } from './run-cli.js';

let work = '';
let hook = '';
let marker = '';
let spec = '';
let binDir = '';

function run(command: string, args: readonly string[]): Promise<CliRun> {
  return runProcess(command, args, { env: { PATH: `${binDir}${delimiter}${process.env['PATH'] ?? ''}` } });
}

/** The ways the CLI is started; each must keep Node.js away from `--env-file`. */
const LAUNCHERS: ReadonlyArray<readonly [name: string, command: () => string, prefix: readonly string[]]> = [
  ['bin/llm-deploy.js run directly (its shebang)', () => join(ROOT, 'bin', 'llm-deploy.js'), []],
  // the image: `ln -s /app/bin/llm-deploy.js /usr/local/bin/llm-deploy` and ENTRYPOINT ["llm-deploy"]
  ['llm-deploy on PATH (the image entrypoint)', () => 'llm-deploy', []],
  ['node -- bin/llm-deploy.js', () => process.execPath, ['--', 'bin/llm-deploy.js']],
  // npx is itself a Node script, so Node reads --env-file in its argv unless `--` comes first
  ['npx -- llm-deploy', () => 'npx', ['--no', '--offline', '--', 'llm-deploy']],
];

describe('--env-file however the CLI is started', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-launch-'));
    marker = join(work, 'hook-ran');
    hook = join(work, 'hook.cjs');
    await writeFile(hook, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    spec = join(work, 'spec.env');
    await writeFile(spec, `GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://bucket/models/t5\nNODE_OPTIONS=--require ${hook}\n`);
    binDir = join(work, 'bin');
    await mkdir(binDir);
    await symlink(join(ROOT, 'bin', 'llm-deploy.js'), join(binDir, 'llm-deploy'));
  });
  after(async () => rm(work, { recursive: true, force: true }));

  for (const [name, command, prefix] of LAUNCHERS) {
    it(`${name}: a missing env file is our exit 2, naming it`, async () => {
      const result = await run(command(), [...prefix, 'config', '--env-file', join(work, 'missing.env')]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^error: .*missing\.env: cannot read the env file/m);
    });

    it(`${name}: NODE_OPTIONS in the env file is ignored, as the warning says`, async () => {
      await rm(marker, { force: true });
      const result = await run(command(), [...prefix, 'config', '--env-file', spec]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /unknown key NODE_OPTIONS; it is ignored/);
      assert.equal(existsSync(marker), false, 'the --require hook from the env file ran');
    });
  }

  it('node bin/llm-deploy.js (no --): Node applied the file NODE_OPTIONS, so the CLI refuses with exit 2 instead of claiming it ignored them', async () => {
    await rm(marker, { force: true });
    const result = await run(process.execPath, ['bin/llm-deploy.js', 'config', '--env-file', spec]);
    // Node.js ran the hook before any of our code (nodejs/node#54232); all we can do is not pretend otherwise
    assert.equal(existsSync(marker), true, 'the hook is a real one');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /NODE_OPTIONS: Node\.js applied NODE_OPTIONS from this env file/);
    assert.match(result.stderr, /node -- bin\/llm-deploy\.js/);
    assert.doesNotMatch(result.stderr, /it is ignored/);
  });
});
