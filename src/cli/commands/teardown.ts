import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy teardown`. */
export function registerTeardownCommand(program: Command, _context: CommandContext): void {
  program
    .command('teardown')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('teardown'));
}
