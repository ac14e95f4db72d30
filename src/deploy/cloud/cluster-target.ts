import type { GcsClientOptions } from '../../storage/index.js';
import { removeConvertedModel } from '../conversion.js';
import type { GkeApi } from '../gke/client.js';
import { nvidiaDriverInstaller } from '../gke/driver-installer.js';
import type { ManifestOptions } from '../manifests/options.js';
import { manifestsToYaml, renderManifests } from '../manifests/render.js';
import type { IamEditors } from '../iam/apply.js';
import { describeBindings, plannedBindings, PROJECT_NUMBER_PLACEHOLDER } from '../iam/iam-plan.js';
import type { DeployTarget, TargetDeployment, TargetKind, TargetStatus } from '../target.js';
import { describeClusterPlan, type ClusterPlan } from './cluster-plan.js';
import { clusterReady, clusterStatus, formatClusterStatus } from './cluster-status.js';
import { teardownCluster } from './cluster-teardown.js';
import { connectExistingCluster, type ClusterAccess } from './connect.js';
import { clusterSummary, deployToCluster } from './gke-deploy.js';

/** What both cluster targets need. */
export interface ClusterTargetOptions {
  readonly manifest: ManifestOptions;
  readonly apiKeySet: boolean;
  /** Poll interval of GKE operations and Kubernetes waits, and the first retry delay (ms). */
  readonly pollMs?: number;
  /** How to reach Cloud Storage: `deploy --cleanup` deletes the converted model the conversion Job wrote. */
  readonly gcs: GcsClientOptions;
}

/** Options of {@link gkeTarget}. */
export interface GkeTargetOptions extends ClusterTargetOptions {
  readonly gke: GkeApi;
  readonly plan: ClusterPlan;
  /** Workload Identity: deploy grants the pods access to the model through these, teardown takes it back. */
  readonly iam: IamEditors;
  /** Plain HTTP to the cluster endpoint, TLS checks off: loopback tests only. */
  readonly insecureHttp?: boolean;
}

/** Options of {@link kubeconfigTarget}. */
export interface KubeconfigTargetOptions extends ClusterTargetOptions {
  /** The kubeconfig file (default: KUBECONFIG, else ~/.kube/config). */
  readonly path?: string;
  readonly context?: string;
}

/** A GKE cluster: found, or created when the plan allows; deleted by teardown only when deploy created it. */
export function gkeTarget(options: GkeTargetOptions): DeployTarget {
  const { plan } = options;
  const access: ClusterAccess = { kind: 'gke', gke: options.gke, ...(options.insecureHttp === true ? { insecureHttp: true } : {}) };
  const installer = plan.create
    ? ''
    : `driver installer (applied to the existing cluster, kube-system):\n${manifestsToYaml([nvidiaDriverInstaller()])}`;
  return clusterTarget(options, {
    kind: 'gke',
    access,
    plan,
    iam: options.iam,
    where: `GKE cluster ${plan.name} in ${plan.location} (project ${plan.projectId})`,
    dryRun: `${describeClusterPlan(plan)}${describeBindings(plannedBindings(options.manifest, plan.projectId, PROJECT_NUMBER_PLACEHOLDER))}${installer}`,
  });
}

/** Any Kubernetes cluster through a kubeconfig: nothing is created or deleted at the cluster level. */
export function kubeconfigTarget(options: KubeconfigTargetOptions): DeployTarget {
  const access: ClusterAccess = {
    kind: 'kubeconfig',
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
  const where = `the current cluster of kubeconfig ${options.path ?? '(default)'}${options.context === undefined ? '' : `, context ${options.context}`}`;
  return clusterTarget(options, { kind: 'kubeconfig', access, plan: undefined, where, dryRun: `cluster: ${where}\n` });
}

/** How one cluster target reaches its cluster, and how it says so. */
interface ClusterReach {
  readonly kind: TargetKind;
  readonly access: ClusterAccess;
  /** The GKE cluster; undefined through a kubeconfig. */
  readonly plan: ClusterPlan | undefined;
  /** GKE only: the IAM grants of Workload Identity. */
  readonly iam?: IamEditors;
  readonly where: string;
  /** The dry run's lines before the manifests. */
  readonly dryRun: string;
}

function clusterTarget(options: ClusterTargetOptions, reach: ClusterReach): DeployTarget {
  const { manifest } = options;
  const { kind, access, plan } = reach;
  const common = { access, plan, manifest, ...(reach.iam === undefined ? {} : { iam: reach.iam }) };
  const poll = options.pollMs === undefined ? {} : { pollMs: options.pollMs, retryDelayMs: options.pollMs };
  return {
    kind,
    describe: () => `${reach.where}, namespace ${manifest.namespace}`,
    dryRun: () => `${reach.dryRun}manifests (namespace ${manifest.namespace}):\n${manifestsToYaml(renderManifests(manifest))}`,
    deploy: async ({ readyTimeoutMs, jobTimeoutMs, write }): Promise<TargetDeployment> => {
      const deployment = await deployToCluster({ ...common, jobTimeoutMs, rolloutTimeoutMs: readyTimeoutMs, ...poll, write });
      const on = deployment.clusterName === undefined ? '' : ` on GKE cluster ${deployment.clusterName}`;
      const summary = clusterSummary(deployment, { apiKeySet: options.apiKeySet, example: 'number to words: 1205' });
      const converted = manifest.fasterTransformer?.convertedPath;
      const created = {
        ...(deployment.clusterCreatedNow && deployment.clusterName !== undefined ? { clusterName: deployment.clusterName } : {}),
        ...(converted === undefined ? {} : { convertedModel: converted }),
      };
      return { url: deployment.baseUrl, summary: `\n${manifest.name} is ready${on}.\n${summary}\n`, created };
    },
    status: async (): Promise<TargetStatus> => {
      // `target` is DEPLOY_TARGET's value: a kubeconfig cluster is the gke target reached another way
      const identity = { target: 'gke', name: manifest.name, cluster: plan?.name };
      const connected = await connectExistingCluster(access, plan);
      if (connected === undefined) {
        const text = `${manifest.name}: GKE cluster ${plan?.name ?? ''} not found (nothing deployed)\n`;
        return { state: 'none', text, details: { ...identity, state: 'no-cluster' } };
      }
      const status = await clusterStatus(connected.api, manifest);
      const ready = clusterReady(status);
      return {
        state: ready ? 'ready' : status.deployment === undefined ? 'none' : 'not-ready',
        text: formatClusterStatus(status, plan === undefined ? manifest.name : `${manifest.name} on ${plan.name}`),
        details: { ...identity, ready, ...status },
      };
    },
    teardown: ({ confirmClusterDeletion, write }) => teardownCluster({ ...common, confirmClusterDeletion, write }),
    cleanup: async ({ created }, { write }) => {
      const createdNow = created.clusterName !== undefined;
      await teardownCluster({ ...common, confirmClusterDeletion: () => Promise.resolve(createdNow), write, createdNow });
      if (created.convertedModel !== undefined) await removeConvertedModel(created.convertedModel, { gcs: options.gcs, write });
    },
  };
}
