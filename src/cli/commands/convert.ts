import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy convert`. */
export function registerConvertCommand(program: Command, _context: CommandContext): void {
  program
    .command('convert')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('convert'));
}
