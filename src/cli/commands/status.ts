import type { Command } from 'commander';
import type { DeploymentSettings } from '../../config/index.js';
import {
  clusterReady,
  clusterStatus,
  formatClusterStatus,
  localStatus,
  manifestOptionsFromSettings,
  connectExistingCluster,
} from '../../deploy/index.js';
import { EXIT, type CommandContext } from '../context.js';
import { loadDeploymentSpec } from '../settings.js';
import { addClusterOptions, clusterAccess, targetFlag, type ClusterFlags } from './deploy.js';

interface StatusFlags extends ClusterFlags {
  envFile: string;
  json?: boolean;
}

/** Registers `llm-deploy status`: what is running for the spec. */
export function registerStatusCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('status')
    .description(
      'Show what is running for the deployment spec: pid, URL and readiness on the local target; the Deployment, its pods and the Service NodePorts on a cluster.\nExit codes: 0 running and ready, 1 not running or not ready.',
    )
    .requiredOption('--env-file <file>', 'Docker-style env file (KEY=VALUE per line); it wins over the process environment')
    .option('--json', 'print JSON');
  addClusterOptions(command)
    .addHelpText('after', '\nExamples:\n  llm-deploy status --env-file local.env\n  llm-deploy status --env-file prod.env --json')
    .action(async (flags: StatusFlags) => {
      const { settings } = await loadDeploymentSpec(flags.envFile, context, targetFlag(flags));
      if (settings.deployTarget === 'gke') await clusterStatusCommand(settings, flags, context);
      else await localStatusCommand(settings, flags, context);
    });
}

async function clusterStatusCommand(settings: DeploymentSettings, flags: StatusFlags, context: CommandContext): Promise<void> {
  const { access, plan } = clusterAccess(settings, flags);
  const connected = await connectExistingCluster(access, plan);
  const name = settings.modelName;
  if (connected === undefined) {
    if (flags.json === true) context.stdout.write(`${JSON.stringify({ target: 'gke', name, cluster: plan?.name, state: 'no-cluster' })}\n`);
    else context.stdout.write(`${name}: GKE cluster ${plan?.name ?? ''} not found (nothing deployed)\n`);
    context.setExitCode(EXIT.failure);
    return;
  }
  const status = await clusterStatus(connected.api, manifestOptionsFromSettings(settings, flags.namespace));
  const where = plan === undefined ? name : `${name} on ${plan.name}`;
  if (flags.json === true) {
    context.stdout.write(`${JSON.stringify({ target: 'gke', name, cluster: plan?.name, ready: clusterReady(status), ...status })}\n`);
  } else context.stdout.write(formatClusterStatus(status, where));
  if (!clusterReady(status)) context.setExitCode(EXIT.failure);
}

async function localStatusCommand(settings: DeploymentSettings, flags: StatusFlags, context: CommandContext): Promise<void> {
  const name = settings.modelName;
  const status = await localStatus(settings.stateDir, name);
  if (flags.json === true) context.stdout.write(`${JSON.stringify({ target: 'local', name, ...status })}\n`);
  else if (status.state === 'running') {
    context.stdout.write(
      `${name}: running (pid ${status.record.pid}) at ${status.url}, ${status.ready ? 'ready' : 'NOT ready'}; model ${status.record.modelSource}; started ${status.record.startedAt}\n`,
    );
  } else if (status.state === 'stale') {
    context.stdout.write(`${name}: not running (stale state left by a server that died; \`teardown\` cleans it up)\n`);
  } else context.stdout.write(`${name}: not deployed on this machine\n`);
  if (!(status.state === 'running' && status.ready)) context.setExitCode(EXIT.failure);
}
