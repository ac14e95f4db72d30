import { endpointSummary } from '../endpoints.js';
import { nvidiaDriverInstaller } from '../gke/driver-installer.js';
import { bindingLine, prepareGrants, type IamEditors } from '../iam/apply.js';
import { IAM_BINDINGS_ANNOTATION } from '../iam/iam-plan.js';
import { createKubeApi, type KubeApi } from '../kube/client.js';
import { kubeDeploy, type KubeEndpoints } from '../kube/kube-deploy.js';
import { applyAll } from '../kube/rollout.js';
import { serviceAccount } from '../manifests/objects.js';
import type { ManifestOptions } from '../manifests/options.js';
import { StepProgress } from '../progress.js';
import type { GkeApi } from '../gke/client.js';
import type { ClusterPlan } from './cluster-plan.js';
import { grantAndRecord } from './cluster-iam.js';
import { ensureCluster, kubeApiForCluster, kubeServer, optional, type ClusterAccess } from './connect.js';

/** Options for {@link deployToCluster}. */
export interface ClusterDeployOptions {
  readonly access: ClusterAccess;
  /** Required with GKE access; ignored with a kubeconfig. */
  readonly plan: ClusterPlan | undefined;
  readonly manifest: ManifestOptions;
  /** GKE only: the IAM APIs through which deploy grants the pods access to the model (Workload Identity). */
  readonly iam?: IamEditors;
  readonly jobTimeoutMs: number;
  readonly rolloutTimeoutMs: number;
  readonly pollMs?: number;
  readonly retryDelayMs?: number;
  /** Receives each progress line. */
  readonly write: (line: string) => void;
}

/** Where a cluster deployment answers. */
export interface ClusterDeployment extends KubeEndpoints {
  /** `http://<first node>:<http NodePort>`, or undefined without nodes/NodePorts. */
  readonly baseUrl: string | undefined;
  readonly kserveUrl: string | undefined;
  /** The GKE cluster name, when GKE was used. */
  readonly clusterName: string | undefined;
  /** Whether this call created the GKE cluster (it was not found). */
  readonly clusterCreatedNow: boolean;
}

/**
 * `deploy` on a cluster: find or create the GKE cluster, connect, ensure the NVIDIA driver installer on
 * a cluster it did not just create, then the Kubernetes half (ServiceAccount, conversion Job,
 * Deployment, Service, rollout). One progress line per step, with elapsed time.
 */
export async function deployToCluster(options: ClusterDeployOptions): Promise<ClusterDeployment> {
  const { access, plan } = options;
  const viaGke = access.kind === 'gke' && plan !== undefined;
  const kubeSteps = 4 + (options.manifest.fasterTransformer === undefined ? 0 : 1);
  const progress = new StepProgress(kubeSteps + (viaGke ? 3 + (options.iam === undefined ? 0 : 2) : 1), options.write);
  let reached: { api: KubeApi; clusterCreatedNow: boolean; manifest: ManifestOptions };
  if (access.kind === 'gke' && plan !== undefined) {
    reached = await throughGke(options, { gke: access.gke, insecureHttp: access.insecureHttp === true, plan }, progress);
  } else {
    // Impossible through gkeTarget, which always has a cluster plan.
    if (access.kind === 'gke') throw new Error('assert: GKE access needs a cluster plan');
    const kubeconfig = optional(access);
    const api = await progress.run(`load kubeconfig${kubeconfig.context === undefined ? '' : ` (context ${kubeconfig.context})`}`, () =>
      Promise.resolve(createKubeApi({ kind: 'kubeconfig', ...kubeconfig })),
    );
    reached = { api, clusterCreatedNow: false, manifest: await keepIamRecord(api, options.manifest) };
  }
  const endpoints = await kubeDeploy(reached.api, reached.manifest, {
    jobTimeoutMs: options.jobTimeoutMs,
    rolloutTimeoutMs: options.rolloutTimeoutMs,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...retryDelay(options),
    step: (title, work) => progress.run(title, work),
  });
  const node = endpoints.nodeAddresses[0];
  const url = (port: number | undefined) => (node === undefined || port === undefined ? undefined : `http://${node}:${port}`);
  return {
    ...endpoints,
    baseUrl: url(endpoints.nodePorts['http']),
    kserveUrl: url(endpoints.nodePorts['kserve']),
    clusterName: viaGke ? plan.name : undefined,
    clusterCreatedNow: reached.clusterCreatedNow,
  };
}

/**
 * The GKE half: check the IAM grants (before anything exists, so a caller who may not make them fails with
 * nothing to undo), find or create the cluster, connect, the driver installer, then grant and record.
 */
async function throughGke(
  options: ClusterDeployOptions,
  reach: { gke: GkeApi; insecureHttp: boolean; plan: ClusterPlan },
  progress: StepProgress,
): Promise<{ api: KubeApi; clusterCreatedNow: boolean; manifest: ManifestOptions }> {
  const { iam, manifest } = options;
  const { gke, plan } = reach;
  const grants =
    iam === undefined
      ? undefined
      : await progress.run('check the IAM grants the pods need', async (note) => {
          const bindings = await prepareGrants(iam, manifest, plan.projectId);
          for (const binding of bindings) note(`will grant ${bindingLine(binding)}`);
          return bindings;
        });
  const { cluster, createdNow } = await progress.run(
    plan.create ? `find or create GKE cluster ${plan.name} in ${plan.location}` : `find GKE cluster ${plan.name} in ${plan.location}`,
    (note) => ensureCluster(gke, plan, note),
  );
  const api = await progress.run(`connect to ${kubeServer(cluster, reach.insecureHttp)}`, () =>
    kubeApiForCluster(gke, cluster, reach.insecureHttp),
  );
  await progress.run('ensure the NVIDIA driver installer DaemonSet', async (note) => {
    if (createdNow) note('new cluster: GKE installs the drivers (gpuDriverInstallationConfig)');
    else await applyAll(api, [nvidiaDriverInstaller()], { onRetry: note, ...initialDelay(options) });
  });
  if (iam === undefined || grants === undefined) return { api, clusterCreatedNow: createdNow, manifest };
  const recorded = await progress.run('grant IAM and record it on the ServiceAccount', (note) =>
    grantAndRecord(api, iam, { manifest, bindings: grants, note, ...retryDelay(options) }),
  );
  return { api, clusterCreatedNow: createdNow, manifest: recorded };
}

/**
 * Through a kubeconfig no grant is made, but the cluster may be one a gke deploy granted for: server-side apply
 * deletes a field its manager stops sending (https://kubernetes.io/docs/reference/using-api/server-side-apply/),
 * so the ServiceAccount is re-applied with the record it has, and a later teardown still finds the grants.
 */
async function keepIamRecord(api: KubeApi, manifest: ManifestOptions): Promise<ManifestOptions> {
  const record = (await api.readAnnotations(serviceAccount(manifest)))?.[IAM_BINDINGS_ANNOTATION];
  return record === undefined ? manifest : { ...manifest, iamBindingsRecord: record };
}

/** The text `deploy` prints after a cluster deployment: nodes, NodePorts and ready-to-paste commands. */
export function clusterSummary(deployment: ClusterDeployment, options: { apiKeySet: boolean; example: string }): string {
  const ports = Object.entries(deployment.nodePorts).map(([name, port]) => `${name}=${port}`);
  const lines = [
    `Nodes:        ${deployment.nodeAddresses.join(', ') || '(none reported)'}`,
    `NodePorts:    ${ports.join(', ') || '(none reported)'}`,
  ];
  if (deployment.baseUrl !== undefined) {
    lines.push(
      endpointSummary({
        baseUrl: deployment.baseUrl,
        kserveUrl: deployment.kserveUrl ?? deployment.baseUrl,
        apiKeySet: options.apiKeySet,
        example: options.example,
      }),
    );
  }
  lines.push(
    '',
    'NodePorts answer on every node address; on GKE open them to your address first, e.g.:',
    `  gcloud compute firewall-rules create llm-deploy-nodeports --allow tcp:${ports.length === 0 ? '30000-32767' : Object.values(deployment.nodePorts).join(',tcp:')} --source-ranges YOUR_IP/32`,
  );
  return lines.join('\n');
}

function retryDelay(options: { readonly retryDelayMs?: number }): { retryDelayMs?: number } {
  return options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs };
}

function initialDelay(options: { readonly retryDelayMs?: number }): { initialDelayMs?: number } {
  return options.retryDelayMs === undefined ? {} : { initialDelayMs: options.retryDelayMs };
}
