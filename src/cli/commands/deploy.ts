import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { LlmDeployError, type LoadedSettings } from '../../config/index.js';
import {
  deployLocal,
  endpointSummary,
  manifestOptionsFromSettings,
  manifestsToYaml,
  renderManifests,
  StepProgress,
} from '../../deploy/index.js';
import type { CommandContext } from '../context.js';
import { childEnvironment, selfCommand } from '../server-command.js';
import { loadDeploymentSpec } from '../settings.js';
import { runVerify } from './verify.js';

interface DeployFlags {
  envFile: string;
  target?: 'local' | 'gke';
  dryRun?: boolean;
  verify?: boolean;
  input?: string;
  output?: string;
  readyTimeout: string;
}

/** Registers `llm-deploy deploy`. */
export function registerDeployCommand(program: Command, context: CommandContext): void {
  program
    .command('deploy')
    .description(
      'Deploy the model of the spec: convert it if USE_FASTER_TRANSFORMER, start the server, wait until ready, print the endpoints.\nTargets: local (this machine; the default without PROJECT_ID/EXISTING_CLUSTER_ID) or gke.',
    )
    .requiredOption('--env-file <file>', 'Docker-style env file (KEY=VALUE per line); it wins over the process environment')
    .option('--target <target>', 'local or gke (default: DEPLOY_TARGET, else derived)')
    .option('--dry-run', 'show what would be created, call nothing')
    .option('--verify', 'after deploying, run `verify` with -i/-o against the new deployment')
    .option('-i, --input <file>', 'with --verify: the /infer body')
    .option('-o, --output <file>', 'with --verify: the expected reply')
    .option('--ready-timeout <seconds>', 'how long to wait for readiness', '600')
    .addHelpText(
      'after',
      '\nExamples:\n  llm-deploy deploy --env-file local.env\n  llm-deploy deploy --env-file prod.env --dry-run\n  llm-deploy deploy --env-file local.env --verify -i predict_payload.json -o predict_result.json',
    )
    .action(async (flags: DeployFlags) => {
      const loaded = await loadDeploymentSpec(
        flags.envFile,
        context,
        flags.target === undefined ? {} : { DEPLOY_TARGET: { value: flags.target, flag: '--target' } },
      );
      if (flags.verify === true && (flags.input === undefined || flags.output === undefined)) {
        throw new LlmDeployError('--verify needs both -i and -o', {
          code: 'CLI_FLAGS_INVALID',
          httpStatus: 400,
          field: '--verify',
          expected: '-i payload.json -o expected.json',
        });
      }
      const { settings } = loaded;
      if (flags.dryRun === true) {
        context.stdout.write(`dry run: target ${settings.deployTarget}; nothing is called.\n`);
        if (settings.deployTarget === 'gke') context.stdout.write(manifestsToYaml(renderManifests(manifestOptionsFromSettings(settings))));
        else
          context.stdout.write(
            `would start: llm-deploy serve --model ${settings.modelSource} --port ${settings.port} (state in ${settings.stateDir}/${settings.modelName})\n`,
          );
        return;
      }
      if (settings.deployTarget === 'gke') {
        throw new LlmDeployError('the gke target is not implemented yet; use --target local, or `llm-deploy render` and kubectl apply', {
          code: 'CLI_NOT_IMPLEMENTED',
          httpStatus: 501,
        });
      }
      const url = await deployLocalFlow(loaded, flags, context);
      if (flags.verify === true && flags.input !== undefined && flags.output !== undefined) {
        await runVerify({ url, input: flags.input, output: flags.output, apiKey: settings.apiKey }, context);
      }
    });
}

async function deployLocalFlow(loaded: LoadedSettings, flags: DeployFlags, context: CommandContext): Promise<string> {
  const { settings } = loaded;
  const progress = new StepProgress(settings.useFasterTransformer ? 2 : 1, (line) => context.stdout.write(`${line}\n`));
  const env = childEnvironment(context.env, loaded);
  let modelSource = settings.modelSource ?? '';
  if (settings.useFasterTransformer && settings.convertedModelUploadPath !== undefined) {
    const out = settings.convertedModelUploadPath;
    const tensorParallel = String(settings.gpuCountPerModel ?? 1);
    await progress.run(`convert ${modelSource} -> ${out} (FasterTransformer, tensor-parallel ${tensorParallel})`, () =>
      runChild(
        [
          ...selfCommand(),
          'convert',
          '--model',
          modelSource,
          '--to',
          'fastertransformer',
          '--tensor-parallel',
          tensorParallel,
          '--out',
          out,
          '--force',
        ],
        env,
        context,
      ),
    );
    modelSource = out;
  }
  const name = settings.modelName ?? 'model';
  const deployment = await progress.run(`start the server for ${name} on port ${settings.port}`, (note) =>
    deployLocal({
      stateRoot: settings.stateDir,
      name,
      host: settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host,
      port: settings.port,
      modelSource,
      serveCommand: [...selfCommand(), 'serve'],
      env,
      readyTimeoutMs: Number(flags.readyTimeout) * 1000,
      drainTimeoutMs: settings.drainTimeoutMs,
      onProgress: note,
    }),
  );
  context.stdout.write(`\n${name} is ready (pid ${deployment.record.pid}, log ${deployment.logFile}).\n`);
  context.stdout.write(
    `${endpointSummary({ baseUrl: deployment.url, kserveUrl: deployment.url, apiKeySet: settings.apiKey !== undefined, example: 'number to words: 1205' })}\n`,
  );
  context.stdout.write(`Stop it with: llm-deploy teardown --env-file ${flags.envFile}\n`);
  return deployment.url;
}

function runChild(argv: readonly string[], env: Record<string, string | undefined>, context: CommandContext): Promise<void> {
  const [executable, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(executable ?? process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => context.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => context.stderr.write(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new LlmDeployError(`${args.slice(2, 3).join(' ')} exited with code ${code}`, { code: 'DEPLOY_STEP_FAILED', httpStatus: 500 }),
          ),
    );
  });
}
