import { endpointSummary } from '../endpoints.js';
import { nvidiaDriverInstaller } from '../gke/driver-installer.js';
import { createKubeApi, type KubeApi } from '../kube/client.js';
import { kubeDeploy, type KubeEndpoints } from '../kube/kube-deploy.js';
import { applyAll } from '../kube/rollout.js';
import type { ManifestOptions } from '../manifests/options.js';
import { StepProgress } from '../progress.js';
import type { ClusterPlan } from './cluster-plan.js';
import { ensureCluster, kubeApiForCluster, kubeServer, optional, type ClusterAccess } from './connect.js';

/** Options for {@link deployToCluster}. */
export interface ClusterDeployOptions {
  readonly access: ClusterAccess;
  /** Required with GKE access; ignored with a kubeconfig. */
  readonly plan: ClusterPlan | undefined;
  readonly manifest: ManifestOptions;
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
  const { access, plan, manifest } = options;
  const viaGke = access.kind === 'gke' && plan !== undefined;
  const kubeSteps = 4 + (manifest.fasterTransformer === undefined ? 0 : 1);
  const progress = new StepProgress(kubeSteps + (viaGke ? 3 : 1), options.write);
  let api: KubeApi;
  let clusterCreatedNow = false;
  if (access.kind === 'gke' && plan !== undefined) {
    const { cluster, createdNow } = await progress.run(
      plan.create ? `find or create GKE cluster ${plan.name} in ${plan.location}` : `find GKE cluster ${plan.name} in ${plan.location}`,
      (note) => ensureCluster(access.gke, plan, note),
    );
    clusterCreatedNow = createdNow;
    api = await progress.run(`connect to ${kubeServer(cluster, access.insecureHttp)}`, () =>
      kubeApiForCluster(access.gke, cluster, access.insecureHttp),
    );
    await progress.run('ensure the NVIDIA driver installer DaemonSet', async (note) => {
      if (createdNow) note('new cluster: GKE installs the drivers (gpuDriverInstallationConfig)');
      else
        await applyAll(api, [nvidiaDriverInstaller()], {
          onRetry: note,
          ...(options.retryDelayMs === undefined ? {} : { initialDelayMs: options.retryDelayMs }),
        });
    });
  } else {
    // Impossible through gkeTarget, which always has a cluster plan.
    if (access.kind === 'gke') throw new Error('assert: GKE access needs a cluster plan');
    const kubeconfig = optional(access);
    api = await progress.run(`load kubeconfig${kubeconfig.context === undefined ? '' : ` (context ${kubeconfig.context})`}`, () =>
      Promise.resolve(createKubeApi({ kind: 'kubeconfig', ...kubeconfig })),
    );
  }
  const endpoints = await kubeDeploy(api, manifest, {
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
    clusterCreatedNow,
  };
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
