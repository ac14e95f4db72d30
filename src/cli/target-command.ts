import type { Command } from 'commander';
import type { DeploymentSettings, LoadedSettings } from '../config/index.js';
import type { DeployTarget } from '../deploy/index.js';
import type { CommandContext } from './context.js';
import { addEnvFileOption } from './settings.js';
import { addTargetOptions, loadTarget, type TargetFlags } from './target-flags.js';

/** The commands that act on the target of a deployment spec. */
export type TargetCommandName = 'deploy' | 'status' | 'teardown';

/** Their help side by side, so they describe the targets alike. */
const HELP: Record<TargetCommandName, { readonly description: string; readonly examples: readonly string[] }> = {
  deploy: {
    description:
      'Deploy the model of the spec, convert it first if USE_FASTER_TRANSFORMER, wait until ready, print the endpoints.\nTargets: local (this machine: a detached server; the default without PROJECT_ID/EXISTING_CLUSTER_ID) or gke (find or create the GPU cluster, then ServiceAccount, conversion Job, Deployment, Service; or any cluster with --kubeconfig/--context).',
    examples: [
      'llm-deploy deploy --env-file local.env',
      'llm-deploy deploy --env-file prod.env --dry-run',
      'llm-deploy deploy --env-file prod.env --verify -i predict_payload.json -o predict_result.json',
      'llm-deploy deploy --env-file prod.env --kubeconfig ~/.kube/config --context my-cluster',
    ],
  },
  status: {
    description:
      'Show what is running for the deployment spec: pid, URL and readiness on the local target; the Deployment, its pods and the Service NodePorts on a cluster.\nExit codes: 0 running and ready, 1 not running or not ready.',
    examples: ['llm-deploy status --env-file local.env', 'llm-deploy status --env-file prod.env --json'],
  },
  teardown: {
    description:
      'Delete what `deploy` created for the spec. Local target: SIGTERM, wait for the drain, remove the state.\nCluster: delete the objects (reverse order), then the GKE cluster only if deploy created it (asks first unless --yes).',
    examples: ['llm-deploy teardown --env-file local.env', 'llm-deploy teardown --env-file prod.env --yes'],
  },
};

/** A command with an optional `--env-file`, the target flags, its description and examples; the caller adds its own options and action. */
export function targetCommand(program: Command, name: TargetCommandName): Command {
  const help = HELP[name];
  const command = program.command(name).description(help.description);
  return addTargetOptions(addEnvFileOption(command)).addHelpText(
    'after',
    `\nExamples:\n${help.examples.map((example) => `  ${example}`).join('\n')}`,
  );
}

/** A command action that loads the spec and its target first. */
export function onTarget<Extra extends object>(
  context: CommandContext,
  run: (target: DeployTarget, flags: TargetFlags & Extra, loaded: LoadedSettings<DeploymentSettings>) => Promise<void>,
): (flags: TargetFlags & Extra) => Promise<void> {
  return async (flags) => {
    const { loaded, target } = await loadTarget(flags, context);
    await run(target, flags, loaded);
  };
}
