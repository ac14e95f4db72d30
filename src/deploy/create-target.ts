import type { Writable } from 'node:stream';
import { LlmDeployError, type DeploymentSettings } from '../config/index.js';
import { gkeClusterPlan } from './cloud/cluster-plan.js';
import { gkeTarget, kubeconfigTarget } from './cloud/cluster-target.js';
import { createGkeApi, type GkeClientOptions } from './gke/client.js';
import { createIamEditors } from './iam/apply.js';
import type { GoogleEndpoint } from './iam/google-endpoint.js';
import { localTarget } from './local/local-deploy-target.js';
import { manifestOptionsFromSettings } from './manifests/options.js';
import type { DeployTarget } from './target.js';

/** Options of {@link createTarget}: how to reach a cluster, and how the local target runs llm-deploy. */
export interface CreateTargetOptions {
  /** Kubernetes namespace (default `default`). */
  readonly namespace?: string;
  /** A kubeconfig file and/or context: any cluster, no GKE. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Where the GKE API is and how to authenticate (default: Google's endpoint, Application Default Credentials). */
  readonly gke?: Omit<GkeClientOptions, 'pollMs'>;
  /** Plain HTTP to the GKE cluster's endpoint, TLS checks off: loopback tests only. */
  readonly insecureHttp?: boolean;
  /** Resource Manager and IAM elsewhere than Google's hosts (loopback tests); they use the GKE client's token. */
  readonly resourceManagerEndpoint?: GoogleEndpoint;
  readonly iamEndpoint?: GoogleEndpoint;
  /** Poll interval of GKE operations and Kubernetes waits (ms). */
  readonly pollMs?: number;
  /** argv that runs llm-deploy itself, for the local target's child processes. */
  readonly selfCommand: readonly string[];
  /** Environment of the local target's child processes. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the local target's conversion output goes. */
  readonly output: { readonly stdout: Writable; readonly stderr: Writable };
}

/**
 * The target of a deployment spec: DEPLOY_TARGET `local` is this machine; `gke` is a GKE cluster, or any
 * cluster when a kubeconfig or context is given.
 */
export function createTarget(settings: DeploymentSettings, options: CreateTargetOptions): DeployTarget {
  const gcs = settings.storageEmulatorHost === undefined ? {} : { apiEndpoint: settings.storageEmulatorHost };
  const viaKubeconfig = options.kubeconfig !== undefined || options.context !== undefined;
  if (settings.deployTarget === 'local') {
    if (viaKubeconfig) throw kubeconfigOnLocal(options.kubeconfig === undefined ? '--context' : '--kubeconfig');
    return localTarget({
      name: settings.modelName,
      stateRoot: settings.stateDir,
      host: settings.host,
      port: settings.port,
      modelSource: settings.modelSource,
      conversion:
        settings.useFasterTransformer && settings.convertedModelUploadPath !== undefined
          ? {
              modelSource: settings.modelSource,
              convertedPath: settings.convertedModelUploadPath,
              tensorParallel: settings.gpuCountPerModel,
            }
          : undefined,
      selfCommand: options.selfCommand,
      env: options.env,
      drainTimeoutMs: settings.drainTimeoutMs,
      apiKeySet: settings.apiKey !== undefined,
      output: options.output,
      gcs,
    });
  }
  const cluster = {
    manifest: manifestOptionsFromSettings(settings, options.namespace),
    apiKeySet: settings.apiKey !== undefined,
    gcs,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  };
  if (viaKubeconfig) {
    return kubeconfigTarget({
      ...cluster,
      ...(options.kubeconfig === undefined ? {} : { path: options.kubeconfig }),
      ...(options.context === undefined ? {} : { context: options.context }),
    });
  }
  const gke = createGkeApi({ ...options.gke, ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }) });
  const iam = createIamEditors({
    token: () => gke.accessToken(),
    gcs,
    ...(options.resourceManagerEndpoint === undefined ? {} : { resourceManagerEndpoint: options.resourceManagerEndpoint }),
    ...(options.iamEndpoint === undefined ? {} : { iamEndpoint: options.iamEndpoint }),
  });
  return gkeTarget({
    ...cluster,
    plan: gkeClusterPlan(settings),
    gke,
    iam,
    ...(options.insecureHttp === true ? { insecureHttp: true } : {}),
  });
}

function kubeconfigOnLocal(flag: string): LlmDeployError {
  return new LlmDeployError(`${flag} names a cluster, but the target is local`, {
    code: 'DEPLOY_TARGET_CONFLICT',
    httpStatus: 400,
    field: flag,
    expected: '--target gke with a kubeconfig/context, or no kubeconfig/context on the local target',
  });
}
