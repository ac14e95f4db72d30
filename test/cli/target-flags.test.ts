import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerDeployCommand } from '../../src/cli/commands/deploy.js';
import { registerStatusCommand } from '../../src/cli/commands/status.js';
import { registerTeardownCommand } from '../../src/cli/commands/teardown.js';
import type { CommandContext } from '../../src/cli/context.js';
import { runMain } from './run-cli.js';

const TARGET_FLAGS = [
  '--target',
  '--kubeconfig',
  '--context',
  '--namespace',
  '--gke-endpoint',
  '--gke-access-token',
  '--kube-insecure-http',
  '--poll-ms',
];

describe('deploy, status and teardown take the target flags alike', () => {
  let work = '';
  let envFile = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-target-flags-'));
    envFile = join(work, 'spec.env');
    await writeFile(
      envFile,
      ['MODEL_SOURCE_PATH=./models/demo-t5', 'GPU_COUNT_PER_MODEL=1', 'MODEL_NAME=flags', `LLM_DEPLOY_STATE=${join(work, 'state')}`].join(
        '\n',
      ),
    );
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('each command has the same target options, with the same defaults and help', () => {
    const program = new Command();
    const context = {} as CommandContext;
    registerDeployCommand(program, context);
    registerStatusCommand(program, context);
    registerTeardownCommand(program, context);
    const options = program.commands.map((command) =>
      command.options
        .filter((option) => TARGET_FLAGS.includes(option.long ?? ''))
        .map((option) => ({ flag: option.long, description: option.description, default: option.defaultValue, hidden: option.hidden })),
    );
    assert.equal(options.length, 3);
    assert.equal(options[0]?.length, TARGET_FLAGS.length);
    assert.deepEqual(options[1], options[0]);
    assert.deepEqual(options[2], options[0]);
  });

  it('teardown and status accept --target local and --namespace (once an unknown option)', async () => {
    const down = await runMain(['teardown', '--env-file', envFile, '--target', 'local', '--namespace', 'serving']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /flags: nothing to tear down/);
    const status = await runMain(['status', '--env-file', envFile, '--target', 'local', '--namespace', 'serving', '--json']);
    assert.equal(status.code, 1, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), { target: 'local', name: 'flags', state: 'absent' });
  });

  it('--target is checked the same way on every command', async () => {
    for (const command of ['deploy', 'status', 'teardown']) {
      const run = await runMain([command, '--env-file', envFile, '--target', 'aws']);
      assert.equal(run.code, 2, `${command}: ${run.stderr}`);
      assert.match(run.stderr, /DEPLOY_TARGET/, command);
    }
  });

  it('a kubeconfig on the local target is refused, not ignored', async () => {
    const run = await runMain(['status', '--env-file', envFile, '--target', 'local', '--kubeconfig', join(work, 'kubeconfig')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--kubeconfig names a cluster, but the target is local/);
  });
});
