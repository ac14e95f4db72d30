import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { GcsClientOptions } from '../../storage/index.js';
import { conversionArgs, describeConversion, removeConvertedModel, type Conversion } from '../conversion.js';
import { endpointSummary } from '../endpoints.js';
import { deployStepFailed } from '../errors.js';
import { StepProgress } from '../progress.js';
import type { DeployTarget, TargetDeployOptions, TargetDeployment, TargetStatus, TeardownOutcome } from '../target.js';
import { deployLocal, localStatus, teardownLocal } from './local-target.js';

/** Options of {@link localTarget}. */
export interface LocalTargetOptions {
  /** MODEL_NAME: names the state directory. */
  readonly name: string;
  /** LLM_DEPLOY_STATE. */
  readonly stateRoot: string;
  readonly host: string;
  readonly port: number;
  readonly modelSource: string;
  /** USE_FASTER_TRANSFORMER: converted by a local `llm-deploy convert` first, then served from its output. */
  readonly conversion: Conversion | undefined;
  /** argv that runs llm-deploy itself (e.g. [node, '--', bin/llm-deploy.js]). */
  readonly selfCommand: readonly string[];
  /** Environment of the child processes (the deployment spec's settings). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly drainTimeoutMs: number;
  readonly apiKeySet: boolean;
  /** Where the conversion process's output goes. */
  readonly output: { readonly stdout: Writable; readonly stderr: Writable };
  /** How to reach Cloud Storage when the converted model is a `gs://` path (cleanup deletes it). */
  readonly gcs: GcsClientOptions;
}

/** This machine: a detached `llm-deploy serve` with its pid, log and settings in a state directory. */
export function localTarget(options: LocalTargetOptions): DeployTarget {
  const { name } = options;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const serveSource = options.conversion?.convertedPath ?? options.modelSource;
  return {
    kind: 'local',
    describe: () => `this machine, port ${options.port}, state in ${options.stateRoot}/${name}`,
    dryRun: () =>
      [
        ...(options.conversion === undefined ? [] : [`would run: llm-deploy ${conversionArgs(options.conversion).join(' ')}`]),
        `would start: llm-deploy serve --model ${serveSource} --port ${options.port} (state in ${options.stateRoot}/${name})`,
        '',
      ].join('\n'),
    deploy: (deployOptions) => deploy(options, host, deployOptions),
    status: () => status(options),
    teardown: ({ write }) => teardown(options, write),
    cleanup: async (deployment, { write }) => {
      await teardown(options, write);
      const converted = deployment.created.convertedModel;
      if (converted !== undefined) await removeConvertedModel(converted, { gcs: options.gcs, write });
    },
  };
}

async function teardown(options: LocalTargetOptions, write: (line: string) => void): Promise<TeardownOutcome> {
  const { name } = options;
  const outcome = await teardownLocal({ stateRoot: options.stateRoot, name, drainTimeoutMs: options.drainTimeoutMs });
  const messages = { stopped: 'stopped and removed', cleaned: 'was not running; stale state removed', absent: 'nothing to tear down' };
  write(`${name}: ${messages[outcome]}`);
  const outcomes: Record<typeof outcome, TeardownOutcome> = { stopped: 'removed', cleaned: 'cleaned', absent: 'absent' };
  return outcomes[outcome];
}

async function deploy(options: LocalTargetOptions, host: string, deployOptions: TargetDeployOptions): Promise<TargetDeployment> {
  const { conversion, name } = options;
  const progress = new StepProgress(conversion === undefined ? 1 : 2, deployOptions.write);
  if (conversion !== undefined) {
    await progress.run(describeConversion(conversion), () => runChild([...options.selfCommand, ...conversionArgs(conversion)], options));
  }
  const deployment = await progress.run(`start the server for ${name} on port ${options.port}`, (note) =>
    deployLocal({
      stateRoot: options.stateRoot,
      name,
      host,
      port: options.port,
      modelSource: conversion?.convertedPath ?? options.modelSource,
      // the local target runs the native engine: SERVING_BACKEND in this process's environment must not reach the child
      serveCommand: [...options.selfCommand, 'serve', '--backend', 'native'],
      env: options.env,
      readyTimeoutMs: deployOptions.readyTimeoutMs,
      drainTimeoutMs: options.drainTimeoutMs,
      onProgress: note,
    }),
  );
  const endpoints = endpointSummary({
    baseUrl: deployment.url,
    kserveUrl: deployment.url,
    apiKeySet: options.apiKeySet,
    example: 'number to words: 1205',
  });
  return {
    url: deployment.url,
    summary: `\n${name} is ready (pid ${deployment.record.pid}, log ${deployment.logFile}).\n${endpoints}\n`,
    created: conversion === undefined ? {} : { convertedModel: conversion.convertedPath },
  };
}

async function status(options: LocalTargetOptions): Promise<TargetStatus> {
  const { name } = options;
  const local = await localStatus(options.stateRoot, name);
  const details = { target: 'local', name, ...local };
  if (local.state === 'running') {
    const { record } = local;
    return {
      state: local.ready ? 'ready' : 'not-ready',
      text: `${name}: running (pid ${record.pid}) at ${local.url}, ${local.ready ? 'ready' : 'NOT ready'}; model ${record.modelSource}; started ${record.startedAt}\n`,
      details,
    };
  }
  const text =
    local.state === 'stale'
      ? `${name}: not running (stale state left by a server that died; \`teardown\` cleans it up)\n`
      : `${name}: not deployed on this machine\n`;
  return { state: 'none', text, details };
}

/** Runs the conversion to completion, passing its output on; a non-zero exit fails the step. */
function runChild(argv: readonly string[], options: LocalTargetOptions): Promise<void> {
  const [executable, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(executable ?? process.execPath, args, { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => options.output.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => options.output.stderr.write(chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(deployStepFailed('llm-deploy convert', `it exited with code ${code}`))));
  });
}
