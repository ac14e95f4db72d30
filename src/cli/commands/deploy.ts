import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import type { CommandContext } from '../context.js';
import { onTarget, targetCommand } from '../target-command.js';
import { DEMO_MODEL_DIR } from './serve.js';
import { runVerify } from './verify.js';

interface DeployFlags {
  dryRun?: boolean;
  verify?: boolean;
  cleanup?: boolean;
  input?: string;
  output?: string;
  readyTimeout: string;
  jobTimeout: string;
}

/** Registers `llm-deploy deploy`. */
export function registerDeployCommand(program: Command, context: CommandContext): void {
  targetCommand(program, 'deploy')
    .option('--dry-run', 'show what would be created, call nothing')
    .option('--verify', 'after deploying, run `verify` with -i/-o (the demo model: its bundled payload) against the new deployment')
    .option('-i, --input <file>', 'with --verify: the /infer body')
    .option('-o, --output <file>', 'with --verify: the expected reply')
    .option('--cleanup', 'one-shot (CI): deploy, verify, then delete what this deploy created; a failed verify still cleans up')
    .option('--ready-timeout <seconds>', 'how long to wait for readiness (local server, or the rollout)', '600')
    .option('--job-timeout <seconds>', 'gke: how long the conversion Job may run', '3600')
    .action(
      onTarget<DeployFlags>(context, async (target, flags, loaded) => {
        const verify = verifyFiles(flags, loaded.settings.modelSource);
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
        try {
          if (verify === undefined) return;
          if (deployment.url === undefined) {
            throw new LlmDeployError('cannot verify: the cluster reported no node address or NodePort', {
              code: 'DEPLOY_STEP_FAILED',
              httpStatus: 502,
            });
          }
          await runVerify({ url: deployment.url, ...verify, apiKey: loaded.settings.apiKey }, context);
        } finally {
          if (flags.cleanup === true) {
            context.stdout.write('cleanup: deleting what this deploy created\n');
            await target.cleanup(deployment, { write: (line) => context.stdout.write(`${line}\n`) });
          }
        }
      }),
    );
}

/** The -i/-o files of --verify: both given, or neither for the demo model, which bundles its own. */
function verifyFiles(flags: DeployFlags, modelSource: string): { input: string; output: string } | undefined {
  if (flags.verify !== true) return undefined;
  if (flags.input !== undefined && flags.output !== undefined) return { input: flags.input, output: flags.output };
  const demo = !modelSource.startsWith('gs://') && resolve(modelSource) === resolve(DEMO_MODEL_DIR);
  if (demo && flags.input === undefined && flags.output === undefined) {
    return { input: join(DEMO_MODEL_DIR, 'predict_payload.json'), output: join(DEMO_MODEL_DIR, 'predict_result.json') };
  }
  throw new LlmDeployError('--verify needs -i and -o (only the demo model bundles its own payload)', {
    code: 'CLI_FLAGS_INVALID',
    httpStatus: 400,
    field: '--verify',
    expected: '-i predict_payload.json -o predict_result.json',
    given: modelSource,
  });
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
