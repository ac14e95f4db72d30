import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy tokenize`. */
export function registerTokenizeCommand(program: Command, _context: CommandContext): void {
  program
    .command('tokenize')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('tokenize'));
}
