import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import type { CommandContext } from '../context.js';
import { onTarget, targetCommand } from '../target-command.js';
import { runVerify } from './verify.js';

interface DeployFlags {
  dryRun?: boolean;
  verify?: boolean;
  input?: string;
  output?: string;
  readyTimeout: string;
  jobTimeout: string;
}

/** Registers `llm-deploy deploy`. */
export function registerDeployCommand(program: Command, context: CommandContext): void {
  targetCommand(program, 'deploy')
    .option('--dry-run', 'show what would be created, call nothing')
    .option('--verify', 'after deploying, run `verify` with -i/-o against the new deployment')
    .option('-i, --input <file>', 'with --verify: the /infer body')
    .option('-o, --output <file>', 'with --verify: the expected reply')
    .option('--ready-timeout <seconds>', 'how long to wait for readiness (local server, or the rollout)', '600')
    .option('--job-timeout <seconds>', 'gke: how long the conversion Job may run', '3600')
    .action(
      onTarget<DeployFlags>(context, async (target, flags, loaded) => {
        const verify = verifyFiles(flags);
        if (flags.dryRun === true) {
          context.stdout.write(`dry run: target ${target.kind} (${target.describe()}); nothing is called.\n`);
          context.stdout.write(target.dryRun());
          return;
        }
        const deployment = await target.deploy({
          readyTimeoutMs: secondsFlag('--ready-timeout', flags.readyTimeout) * 1000,
          jobTimeoutMs: secondsFlag('--job-timeout', flags.jobTimeout) * 1000,
          write: (line) => context.stdout.write(`${line}\n`),
        });
        context.stdout.write(deployment.summary);
        const spec = flags.envFile === undefined ? '' : ` --env-file ${flags.envFile}`;
        context.stdout.write(`Status: llm-deploy status${spec}   Remove: llm-deploy teardown${spec}\n`);
        if (verify === undefined) return;
        if (deployment.url === undefined) {
          throw new LlmDeployError('cannot verify: the cluster reported no node address or NodePort', {
            code: 'DEPLOY_STEP_FAILED',
            httpStatus: 502,
          });
        }
        await runVerify({ url: deployment.url, ...verify, apiKey: loaded.settings.apiKey }, context);
      }),
    );
}

/** The -i/-o files of --verify; both are needed. */
function verifyFiles(flags: DeployFlags): { input: string; output: string } | undefined {
  if (flags.verify !== true) return undefined;
  if (flags.input === undefined || flags.output === undefined) {
    throw new LlmDeployError('--verify needs both -i and -o', {
      code: 'CLI_FLAGS_INVALID',
      httpStatus: 400,
      field: '--verify',
      expected: '-i payload.json -o expected.json',
    });
  }
  return { input: flags.input, output: flags.output };
}

function secondsFlag(flag: string, value: string): number {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds > 0) return seconds;
  throw new LlmDeployError(`${flag} is not a number of seconds`, {
    code: 'CLI_FLAGS_INVALID',
    httpStatus: 400,
    field: flag,
    expected: 'a positive number of seconds, e.g. 600',
    given: value,
  });
}
