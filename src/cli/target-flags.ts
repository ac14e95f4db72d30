import { Option, type Command } from 'commander';
import { LlmDeployError, type DeploymentSettings, type LoadedSettings } from '../config/index.js';
import { createTarget, type DeployTarget, type GkeClientOptions } from '../deploy/index.js';
import type { CommandContext } from './context.js';
import { childEnvironment, selfCommand } from './server-command.js';
import { loadDeploymentSpec, type SettingFlags } from './settings.js';

/** `--env-file` (optional) and the flags that choose the target and how a cluster is reached: the same on deploy, status and teardown. */
export interface TargetFlags {
  envFile?: string;
  target?: string;
  kubeconfig?: string;
  context?: string;
  namespace: string;
  gkeEndpoint?: string;
  resourceManagerEndpoint?: string;
  iamEndpoint?: string;
  gkeAccessToken?: string;
  kubeInsecureHttp?: boolean;
  pollMs?: string;
}

/** Adds --target, --kubeconfig, --context, --namespace and the hidden loopback-test flags to a command. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('--target <target>', 'local or gke (default: DEPLOY_TARGET, else derived)')
    .option('--kubeconfig <file>', 'gke target: use this kubeconfig instead of GKE (any Kubernetes cluster); no cluster is created')
    .option('--context <name>', 'with a kubeconfig: the context to use (alone: the default kubeconfig)')
    .option('--namespace <ns>', 'Kubernetes namespace', 'default')
    .addOption(new Option('--gke-endpoint <url>', 'GKE API base URL (tests: a loopback server)').hideHelp())
    .addOption(new Option('--resource-manager-endpoint <url>', 'Resource Manager base URL (tests: a loopback server)').hideHelp())
    .addOption(new Option('--iam-endpoint <url>', 'IAM API base URL (tests: a loopback server)').hideHelp())
    .addOption(new Option('--gke-access-token <token>', 'fixed OAuth token instead of Application Default Credentials').hideHelp())
    .addOption(new Option('--kube-insecure-http', 'plain HTTP to the cluster endpoint, no TLS (loopback tests only)').hideHelp())
    .addOption(new Option('--poll-ms <ms>', 'poll interval of GKE operations and Kubernetes waits').hideHelp());
}

/** DEPLOY_TARGET as the flags give it: --target, or gke when a kubeconfig/context is given. */
export function targetSettingFlags(flags: Pick<TargetFlags, 'target' | 'kubeconfig' | 'context'>): SettingFlags {
  if (flags.target !== undefined) return { DEPLOY_TARGET: { value: flags.target, flag: '--target' } };
  if (flags.kubeconfig !== undefined) return { DEPLOY_TARGET: { value: 'gke', flag: '--kubeconfig' } };
  if (flags.context !== undefined) return { DEPLOY_TARGET: { value: 'gke', flag: '--context' } };
  return {};
}

/** Loads the spec (`--env-file` over the environment, or the environment alone) with the target flags over it, and its target. */
export async function loadTarget(
  flags: TargetFlags,
  context: CommandContext,
): Promise<{ loaded: LoadedSettings<DeploymentSettings>; target: DeployTarget }> {
  const loaded = await loadDeploymentSpec(flags.envFile, context, targetSettingFlags(flags));
  return { loaded, target: targetFromFlags(loaded, flags, context) };
}

/** The target of the loaded spec, reached the way the flags say. */
export function targetFromFlags(loaded: LoadedSettings<DeploymentSettings>, flags: TargetFlags, context: CommandContext): DeployTarget {
  const poll = flags.pollMs === undefined ? undefined : Math.max(1, Number(flags.pollMs) || 1);
  return createTarget(loaded.settings, {
    namespace: flags.namespace,
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
    ...optionalEndpoint('resourceManagerEndpoint', '--resource-manager-endpoint', flags.resourceManagerEndpoint),
    ...optionalEndpoint('iamEndpoint', '--iam-endpoint', flags.iamEndpoint),
    gke: {
      ...(flags.gkeEndpoint === undefined ? {} : endpointFlag('--gke-endpoint', flags.gkeEndpoint)),
      ...(flags.gkeAccessToken === undefined ? {} : { accessToken: flags.gkeAccessToken }),
    },
    ...(flags.kubeInsecureHttp === true ? { insecureHttp: true } : {}),
    ...(poll === undefined ? {} : { pollMs: poll }),
    selfCommand: selfCommand(),
    env: childEnvironment(context.env, loaded),
    output: { stdout: context.stdout, stderr: context.stderr },
  });
}

function optionalEndpoint<K extends 'resourceManagerEndpoint' | 'iamEndpoint'>(
  key: K,
  flag: string,
  value: string | undefined,
): Partial<Record<K, Required<Pick<GkeClientOptions, 'apiEndpoint' | 'port' | 'protocol'>>>> {
  if (value === undefined) return {};
  const endpoint: Partial<Record<K, Required<Pick<GkeClientOptions, 'apiEndpoint' | 'port' | 'protocol'>>>> = {};
  endpoint[key] = endpointFlag(flag, value);
  return endpoint;
}

function endpointFlag(flag: string, value: string): Required<Pick<GkeClientOptions, 'apiEndpoint' | 'port' | 'protocol'>> {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new LlmDeployError(`${flag} is not a URL`, {
      code: 'CLI_FLAGS_INVALID',
      httpStatus: 400,
      field: flag,
      given: value,
      expected: 'http(s)://host[:port]',
    });
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { apiEndpoint: url.hostname, protocol, port: url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port) };
}
