import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy deploy`. */
export function registerDeployCommand(program: Command, _context: CommandContext): void {
  program
    .command('deploy')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('deploy'));
}
