import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy serve`. */
export function registerServeCommand(program: Command, _context: CommandContext): void {
  program
    .command('serve')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('serve'));
}
