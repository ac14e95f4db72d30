import { spawn } from 'node:child_process';
import { Option, type Command } from 'commander';
import { LlmDeployError, type LoadedSettings, type DeploymentSettings } from '../../config/index.js';
import {
  clusterSummary,
  createGkeApi,
  deployLocal,
  deployToCluster,
  describeClusterPlan,
  endpointSummary,
  gkeClusterPlan,
  manifestOptionsFromSettings,
  manifestsToYaml,
  nvidiaDriverInstaller,
  renderManifests,
  StepProgress,
  type ClusterAccess,
  type ClusterPlan,
  type GkeClientOptions,
} from '../../deploy/index.js';
import type { CommandContext } from '../context.js';
import { childEnvironment, selfCommand } from '../server-command.js';
import { loadDeploymentSpec } from '../settings.js';
import { runVerify } from './verify.js';

/** Flags that choose how a cluster is reached (deploy, status, teardown). */
export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  gkeEndpoint?: string;
  gkeAccessToken?: string;
  kubeInsecureHttp?: boolean;
  pollMs?: string;
}

interface DeployFlags extends ClusterFlags {
  envFile: string;
  target?: 'local' | 'gke';
  dryRun?: boolean;
  verify?: boolean;
  input?: string;
  output?: string;
  readyTimeout: string;
  jobTimeout: string;
}

/** Registers `llm-deploy deploy`. */
export function registerDeployCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('deploy')
    .description(
      'Deploy the model of the spec, convert it first if USE_FASTER_TRANSFORMER, wait until ready, print the endpoints.\nTargets: local (this machine: a detached server; the default without PROJECT_ID/EXISTING_CLUSTER_ID) or gke (find or create the GPU cluster, then ServiceAccount, conversion Job, Deployment, Service; or any cluster with --kubeconfig/--context).',
    )
    .requiredOption('--env-file <file>', 'Docker-style env file (KEY=VALUE per line); it wins over the process environment')
    .option('--target <target>', 'local or gke (default: DEPLOY_TARGET, else derived)')
    .option('--dry-run', 'show what would be created, call nothing')
    .option('--verify', 'after deploying, run `verify` with -i/-o against the new deployment')
    .option('-i, --input <file>', 'with --verify: the /infer body')
    .option('-o, --output <file>', 'with --verify: the expected reply')
    .option('--ready-timeout <seconds>', 'how long to wait for readiness (local server, or the rollout)', '600')
    .option('--job-timeout <seconds>', 'gke: how long the conversion Job may run', '3600');
  addClusterOptions(command)
    .addHelpText(
      'after',
      '\nExamples:\n  llm-deploy deploy --env-file local.env\n  llm-deploy deploy --env-file prod.env --dry-run\n  llm-deploy deploy --env-file prod.env --verify -i predict_payload.json -o predict_result.json\n  llm-deploy deploy --env-file prod.env --kubeconfig ~/.kube/config --context my-cluster',
    )
    .action(async (flags: DeployFlags) => {
      const loaded = await loadDeploymentSpec(flags.envFile, context, targetFlag(flags));
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
        if (settings.deployTarget === 'gke') dryRunCluster(settings, flags, context);
        else
          context.stdout.write(
            `would start: llm-deploy serve --model ${settings.modelSource} --port ${settings.port} (state in ${settings.stateDir}/${settings.modelName})\n`,
          );
        return;
      }
      const url =
        settings.deployTarget === 'gke' ? await deployClusterFlow(settings, flags, context) : await deployLocalFlow(loaded, flags, context);
      if (url === undefined && flags.verify === true) {
        throw new LlmDeployError('cannot verify: the cluster reported no node address or NodePort', {
          code: 'DEPLOY_STEP_FAILED',
          httpStatus: 502,
        });
      }
      if (url !== undefined && flags.verify === true && flags.input !== undefined && flags.output !== undefined) {
        await runVerify({ url, input: flags.input, output: flags.output, apiKey: settings.apiKey }, context);
      }
    });
}

/** Adds --kubeconfig/--context/--namespace and the hidden loopback-test flags. */
export function addClusterOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'gke target: use this kubeconfig instead of GKE (any Kubernetes cluster); no cluster is created')
    .option('--context <name>', 'with a kubeconfig: the context to use (alone: the default kubeconfig)')
    .option('--namespace <ns>', 'Kubernetes namespace', 'default')
    .addOption(new Option('--gke-endpoint <url>', 'GKE API base URL (tests: a loopback server)').hideHelp())
    .addOption(new Option('--gke-access-token <token>', 'fixed OAuth token instead of Application Default Credentials').hideHelp())
    .addOption(new Option('--kube-insecure-http', 'plain HTTP to the cluster endpoint, no TLS (loopback tests only)').hideHelp())
    .addOption(new Option('--poll-ms <ms>', 'poll interval of GKE operations and Kubernetes waits').hideHelp());
}

/** --target, or gke when a kubeconfig/context is given. */
export function targetFlag(flags: {
  target?: string;
  kubeconfig?: string;
  context?: string;
}): Record<string, { value: string; flag: string }> {
  if (flags.target !== undefined) return { DEPLOY_TARGET: { value: flags.target, flag: '--target' } };
  if (flags.kubeconfig !== undefined) return { DEPLOY_TARGET: { value: 'gke', flag: '--kubeconfig' } };
  if (flags.context !== undefined) return { DEPLOY_TARGET: { value: 'gke', flag: '--context' } };
  return {};
}

/** How the flags say to reach the cluster, and the GKE cluster plan (undefined with a kubeconfig). */
export function clusterAccess(settings: DeploymentSettings, flags: ClusterFlags): { access: ClusterAccess; plan: ClusterPlan | undefined } {
  if (flags.kubeconfig !== undefined || flags.context !== undefined) {
    return {
      access: {
        kind: 'kubeconfig',
        ...(flags.kubeconfig === undefined ? {} : { path: flags.kubeconfig }),
        ...(flags.context === undefined ? {} : { context: flags.context }),
      },
      plan: undefined,
    };
  }
  const poll = pollMs(flags);
  const options: GkeClientOptions = {
    ...gkeEndpoint(flags.gkeEndpoint),
    ...(flags.gkeAccessToken === undefined ? {} : { accessToken: flags.gkeAccessToken }),
    ...(poll === undefined ? {} : { pollMs: poll }),
  };
  return {
    access: { kind: 'gke', gke: createGkeApi(options), insecureHttp: flags.kubeInsecureHttp === true },
    plan: gkeClusterPlan(settings),
  };
}

function gkeEndpoint(value: string | undefined): Pick<GkeClientOptions, 'apiEndpoint' | 'port' | 'protocol'> {
  if (value === undefined) return {};
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new LlmDeployError('--gke-endpoint is not a URL', {
      code: 'CLI_FLAGS_INVALID',
      httpStatus: 400,
      field: '--gke-endpoint',
      given: value,
      expected: 'http(s)://host[:port]',
    });
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { apiEndpoint: url.hostname, protocol, port: url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port) };
}

function secondsFlag(flag: string, value: string): number {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds > 0) return seconds;
  throw new LlmDeployError(`${flag} is not a number of seconds`, {
    code: 'CLI_FLAGS_INVALID',
    httpStatus: 400,
    field: flag,
    given: value,
    expected: 'a positive number of seconds, e.g. 600',
  });
}

function pollMs(flags: ClusterFlags): number | undefined {
  return flags.pollMs === undefined ? undefined : Math.max(1, Number(flags.pollMs) || 1);
}

function dryRunCluster(settings: DeploymentSettings, flags: ClusterFlags, context: CommandContext): void {
  const manifest = manifestOptionsFromSettings(settings, flags.namespace);
  if (flags.kubeconfig !== undefined || flags.context !== undefined) {
    context.stdout.write(
      `cluster: the current cluster of kubeconfig ${flags.kubeconfig ?? '(default)'}${flags.context === undefined ? '' : `, context ${flags.context}`}\n`,
    );
  } else {
    const plan = gkeClusterPlan(settings);
    context.stdout.write(describeClusterPlan(plan));
    if (!plan.create) {
      context.stdout.write('driver installer (applied to the existing cluster, kube-system):\n');
      context.stdout.write(manifestsToYaml([nvidiaDriverInstaller()]));
    }
  }
  context.stdout.write(`manifests (namespace ${manifest.namespace}):\n`);
  context.stdout.write(manifestsToYaml(renderManifests(manifest)));
}

async function deployClusterFlow(settings: DeploymentSettings, flags: DeployFlags, context: CommandContext): Promise<string | undefined> {
  const { access, plan } = clusterAccess(settings, flags);
  const poll = pollMs(flags);
  const deployment = await deployToCluster({
    access,
    plan,
    manifest: manifestOptionsFromSettings(settings, flags.namespace),
    jobTimeoutMs: secondsFlag('--job-timeout', flags.jobTimeout) * 1000,
    rolloutTimeoutMs: secondsFlag('--ready-timeout', flags.readyTimeout) * 1000,
    ...(poll === undefined ? {} : { pollMs: poll, retryDelayMs: poll }),
    write: (line) => context.stdout.write(`${line}\n`),
  });
  const name = settings.modelName;
  context.stdout.write(`\n${name} is ready${deployment.clusterName === undefined ? '' : ` on GKE cluster ${deployment.clusterName}`}.\n`);
  context.stdout.write(`${clusterSummary(deployment, { apiKeySet: settings.apiKey !== undefined, example: 'number to words: 1205' })}\n`);
  context.stdout.write(`Status: llm-deploy status --env-file ${flags.envFile}   Remove: llm-deploy teardown --env-file ${flags.envFile}\n`);
  return deployment.baseUrl;
}

async function deployLocalFlow(loaded: LoadedSettings<DeploymentSettings>, flags: DeployFlags, context: CommandContext): Promise<string> {
  const { settings } = loaded;
  const progress = new StepProgress(settings.useFasterTransformer ? 2 : 1, (line) => context.stdout.write(`${line}\n`));
  const env = childEnvironment(context.env, loaded);
  let modelSource = settings.modelSource;
  if (settings.useFasterTransformer && settings.convertedModelUploadPath !== undefined) {
    const out = settings.convertedModelUploadPath;
    const tensorParallel = String(settings.gpuCountPerModel);
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
  const name = settings.modelName;
  const deployment = await progress.run(`start the server for ${name} on port ${settings.port}`, (note) =>
    deployLocal({
      stateRoot: settings.stateDir,
      name,
      host: settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host,
      port: settings.port,
      modelSource,
      serveCommand: [...selfCommand(), 'serve'],
      env,
      readyTimeoutMs: secondsFlag('--ready-timeout', flags.readyTimeout) * 1000,
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
