import type { Command } from 'commander';
import { EXIT, type CommandContext } from '../context.js';
import { loadTarget, targetCommand, type TargetFlags } from '../target-flags.js';

interface StatusFlags extends TargetFlags {
  envFile: string;
  json?: boolean;
}

/** Registers `llm-deploy status`: what is running for the spec. */
export function registerStatusCommand(program: Command, context: CommandContext): void {
  targetCommand(program, 'status', {
    description:
      'Show what is running for the deployment spec: pid, URL and readiness on the local target; the Deployment, its pods and the Service NodePorts on a cluster.\nExit codes: 0 running and ready, 1 not running or not ready.',
    examples: ['llm-deploy status --env-file local.env', 'llm-deploy status --env-file prod.env --json'],
  })
    .option('--json', 'print JSON')
    .action(async (flags: StatusFlags) => {
      const { target } = await loadTarget(flags, context);
      const status = await target.status();
      context.stdout.write(flags.json === true ? `${JSON.stringify(status.details)}\n` : status.text);
      if (status.state !== 'ready') context.setExitCode(EXIT.failure);
    });
}
