import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy config`. */
export function registerConfigCommand(program: Command, _context: CommandContext): void {
  program
    .command('config')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('config'));
}
