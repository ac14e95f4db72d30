import { Command, CommanderError } from 'commander';
import { LlmDeployError } from '../config/index.js';
import { EXIT, type CommandContext } from './context.js';
import { envFilesReadByNode, nodeCommandLine, refuseNodeAppliedOptions } from './node-env-file.js';

type Register = (program: Command, context: CommandContext) => void;

/** Commands by name, loaded on demand: a run imports only the command it runs (the engine, the
 * Kubernetes and Google clients are slow to load), while --help and unknown names load them all. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./commands/serve.js')).registerServeCommand,
  deploy: async () => (await import('./commands/deploy.js')).registerDeployCommand,
  render: async () => (await import('./commands/render.js')).registerRenderCommand,
  convert: async () => (await import('./commands/convert.js')).registerConvertCommand,
  tokenize: async () => (await import('./commands/tokenize.js')).registerTokenizeCommand,
  status: async () => (await import('./commands/status.js')).registerStatusCommand,
  teardown: async () => (await import('./commands/teardown.js')).registerTeardownCommand,
  verify: async () => (await import('./commands/verify.js')).registerVerifyCommand,
  config: async () => (await import('./commands/config.js')).registerConfigCommand,
  fetch: async () => (await import('./commands/fetch.js')).registerFetchCommand,
};

/** Streams and environment for one run; tests pass their own. */
export type MainOptions = Partial<Pick<CommandContext, 'stdin' | 'stdout' | 'stderr' | 'env'>> & {
  /** Node's own argv (default: /proc/self/cmdline when `argv` is process.argv), to see which env files Node read. */
  readonly commandLine?: readonly string[];
};

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
  try {
    const commandLine = options.commandLine ?? (argv === process.argv ? nodeCommandLine() : undefined);
    if (commandLine !== undefined) refuseNodeAppliedOptions(envFilesReadByNode(commandLine, argv.slice(2)));
    const program = await buildProgram(context, argv[2]);
    await program.parseAsync([...argv]);
  } catch (error) {
    return Math.max(exitCode, reportFailure(error, context));
  }
  return exitCode;
}

async function buildProgram(context: CommandContext, commandName: string | undefined): Promise<Command> {
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
  const names = commandName !== undefined && commandName in COMMANDS ? [commandName] : Object.keys(COMMANDS);
  for (const name of names) {
    const register = await COMMANDS[name]?.();
    register?.(program, context);
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
