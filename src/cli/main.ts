import { Command, CommanderError } from 'commander';
import { LlmDeployError } from '../config/index.js';
import { registerConfigCommand } from './commands/config.js';
import { registerConvertCommand } from './commands/convert.js';
import { registerDeployCommand } from './commands/deploy.js';
import { registerRenderCommand } from './commands/render.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTeardownCommand } from './commands/teardown.js';
import { registerTokenizeCommand } from './commands/tokenize.js';
import { registerVerifyCommand } from './commands/verify.js';
import { EXIT, type CommandContext } from './context.js';

/** Streams and environment for one run; tests pass their own. */
export type MainOptions = Partial<Pick<CommandContext, 'stdin' | 'stdout' | 'stderr' | 'env'>>;

/**
 * Runs the CLI and resolves to the process exit code (0 ok, 1 failure, 2 bad input).
 * @example process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  let exitCode: number = EXIT.ok;
  const context: CommandContext = {
    stdin: options.stdin ?? process.stdin,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env: options.env ?? process.env,
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    return Math.max(exitCode, reportFailure(error, context));
  }
  return exitCode;
}

function buildProgram(context: CommandContext): Command {
  const program = new Command('llm-deploy')
    .description(
      'Deploy a fine-tuned Hugging Face T5 model to GKE or this machine and serve it over HTTP.\n' +
        'Settings come from flags, then an env file (--env-file, Docker syntax; the file wins over the\n' +
        'process environment), then defaults. Run `llm-deploy <command> --help` for each command.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of [
    registerServeCommand,
    registerDeployCommand,
    registerRenderCommand,
    registerConvertCommand,
    registerTokenizeCommand,
    registerStatusCommand,
    registerTeardownCommand,
    registerVerifyCommand,
    registerConfigCommand,
  ]) {
    register(program, context);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

function reportFailure(error: unknown, context: CommandContext): number {
  if (error instanceof CommanderError) {
    // --help and --version end through exitOverride with code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (LlmDeployError.isInstance(error)) {
    context.stderr.write(`error: ${error.message}\n`);
    return error.httpStatus >= 400 && error.httpStatus < 500 ? EXIT.usage : EXIT.failure;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  context.stderr.write(`internal error (please report): ${detail}\n`);
  return EXIT.failure;
}
