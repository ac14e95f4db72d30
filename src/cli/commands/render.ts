import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';

/** Registers `llm-deploy render`. */
export function registerRenderCommand(program: Command, _context: CommandContext): void {
  program
    .command('render')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => notImplemented('render'));
}
