import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import type { CommandContext } from '../context.js';
import { onTarget, targetCommand } from '../target-command.js';

/** Registers `llm-deploy teardown`: delete what deploy created. */
export function registerTeardownCommand(program: Command, context: CommandContext): void {
  targetCommand(program, 'teardown')
    .option('--yes', 'do not ask before deleting a cluster that deploy created')
    .action(
      onTarget<{ yes?: boolean }>(context, async (target, flags) => {
        const confirmClusterDeletion = (name: string): Promise<boolean> =>
          flags.yes === true ? Promise.resolve(true) : askClusterName(name, context);
        await target.teardown({ confirmClusterDeletion, write: (line) => context.stdout.write(`${line}\n`) });
      }),
    );
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
