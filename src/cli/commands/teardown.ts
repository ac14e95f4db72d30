import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { LlmDeployError, type DeploymentSettings } from '../../config/index.js';
import { manifestOptionsFromSettings, teardownCluster, teardownLocal } from '../../deploy/index.js';
import type { CommandContext } from '../context.js';
import { loadDeploymentSpec } from '../settings.js';
import { addClusterOptions, clusterAccess, targetFlag, type ClusterFlags } from './deploy.js';

interface TeardownFlags extends ClusterFlags {
  envFile: string;
  yes?: boolean;
}

/** Registers `llm-deploy teardown`: delete what deploy created. */
export function registerTeardownCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('teardown')
    .description(
      'Delete what `deploy` created for the spec. Local target: SIGTERM, wait for the drain, remove the state.\nCluster: delete the objects (reverse order), then the GKE cluster only if deploy created it (asks first unless --yes).',
    )
    .requiredOption('--env-file <file>', 'Docker-style env file (KEY=VALUE per line); it wins over the process environment')
    .option('--yes', 'do not ask before deleting a cluster that deploy created');
  addClusterOptions(command)
    .addHelpText('after', '\nExamples:\n  llm-deploy teardown --env-file local.env\n  llm-deploy teardown --env-file prod.env --yes')
    .action(async (flags: TeardownFlags) => {
      const { settings } = await loadDeploymentSpec(flags.envFile, context, targetFlag(flags));
      if (settings.deployTarget === 'gke') await clusterTeardown(settings, flags, context);
      else await localTeardown(settings, context);
    });
}

async function clusterTeardown(settings: DeploymentSettings, flags: TeardownFlags, context: CommandContext): Promise<void> {
  const { access, plan } = clusterAccess(settings, flags);
  await teardownCluster({
    access,
    plan,
    manifest: manifestOptionsFromSettings(settings, flags.namespace),
    confirmClusterDeletion: (name) => (flags.yes === true ? Promise.resolve(true) : askClusterName(name, context)),
    write: (line) => context.stdout.write(`${line}\n`),
  });
}

/** Asks on stdin for the cluster name; a missing answer (no terminal, empty stdin) is a clear refusal. */
async function askClusterName(name: string, context: CommandContext): Promise<boolean> {
  context.stderr.write(
    `teardown will DELETE the GKE cluster ${name} (created by llm-deploy) and everything on it.\nType the cluster name to confirm: `,
  );
  const answer = await firstLine(context);
  if (answer === undefined) {
    throw new LlmDeployError(`no answer on stdin, so GKE cluster ${name} was not deleted (nothing was deleted)`, {
      code: 'DEPLOY_NOT_CONFIRMED',
      httpStatus: 400,
      field: '--yes',
      expected: 'run it in a terminal and type the cluster name, or pass --yes',
    });
  }
  return answer.trim() === name;
}

function firstLine(context: CommandContext): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: context.stdin, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

async function localTeardown(settings: DeploymentSettings, context: CommandContext): Promise<void> {
  const name = settings.modelName;
  const outcome = await teardownLocal({ stateRoot: settings.stateDir, name, drainTimeoutMs: settings.drainTimeoutMs });
  const messages = { stopped: 'stopped and removed', cleaned: 'was not running; stale state removed', absent: 'nothing to tear down' };
  context.stdout.write(`${name}: ${messages[outcome]}\n`);
}
