import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import type { CommandContext } from '../context.js';
import { loadTarget, targetCommand, type TargetFlags } from '../target-flags.js';

interface TeardownFlags extends TargetFlags {
  envFile: string;
  yes?: boolean;
}

/** Registers `llm-deploy teardown`: delete what deploy created. */
export function registerTeardownCommand(program: Command, context: CommandContext): void {
  targetCommand(program, 'teardown', {
    description:
      'Delete what `deploy` created for the spec. Local target: SIGTERM, wait for the drain, remove the state.\nCluster: delete the objects (reverse order), then the GKE cluster only if deploy created it (asks first unless --yes).',
    examples: ['llm-deploy teardown --env-file local.env', 'llm-deploy teardown --env-file prod.env --yes'],
  })
    .option('--yes', 'do not ask before deleting a cluster that deploy created')
    .action(async (flags: TeardownFlags) => {
      const { target } = await loadTarget(flags, context);
      await target.teardown({
        confirmClusterDeletion: (name) => (flags.yes === true ? Promise.resolve(true) : askClusterName(name, context)),
        write: (line) => context.stdout.write(`${line}\n`),
      });
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
