import type { Command } from 'commander';
import { EXIT, type CommandContext } from '../context.js';
import { onTarget, targetCommand } from '../target-command.js';

/** Registers `llm-deploy status`: what is running for the spec. */
export function registerStatusCommand(program: Command, context: CommandContext): void {
  targetCommand(program, 'status')
    .option('--json', 'print JSON')
    .action(
      onTarget<{ json?: boolean }>(context, async (target, flags) => {
        const status = await target.status();
        context.stdout.write(flags.json === true ? `${JSON.stringify(status.details)}\n` : status.text);
        if (status.state !== 'ready') context.setExitCode(EXIT.failure);
      }),
    );
}
