import { KubeRequestError, type KubeApi, type PodSummary } from '../kube/client.js';
import type { ManifestOptions } from '../manifests/options.js';
import { deployment as renderDeployment, servingLabelsFor } from '../manifests/objects.js';

/** What runs on the cluster for one deployment spec. */
export interface ClusterStatus {
  /** undefined when the Deployment does not exist. */
  readonly deployment: { readonly name: string; readonly desired: number; readonly ready: number; readonly updated: number } | undefined;
  readonly pods: readonly PodSummary[];
  readonly nodePorts: Readonly<Record<string, number>>;
  readonly nodeAddresses: readonly string[];
}

/** Reads the Deployment's replica counts, its pods (with their problems), the Service NodePorts and the node addresses. */
export async function clusterStatus(api: KubeApi, manifest: ManifestOptions): Promise<ClusterStatus> {
  const object = renderDeployment(manifest);
  const status = await api.readStatus(object);
  const number = (key: string): number => {
    const value = status?.[key];
    return typeof value === 'number' ? value : 0;
  };
  const selector = Object.entries(servingLabelsFor(manifest))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const nodePorts = await api.nodePorts(manifest.namespace, manifest.name).catch((error: unknown) => {
    if (error instanceof KubeRequestError && error.status === 404) return {};
    throw error;
  });
  return {
    deployment:
      status === undefined
        ? undefined
        : { name: object.metadata.name, desired: manifest.replicas, ready: number('readyReplicas'), updated: number('updatedReplicas') },
    pods: status === undefined ? [] : await api.listPods(manifest.namespace, selector),
    nodePorts,
    nodeAddresses: status === undefined ? [] : await api.nodeAddresses(),
  };
}

/** True when every desired replica is ready. */
export function clusterReady(status: ClusterStatus): boolean {
  return status.deployment !== undefined && status.deployment.ready >= status.deployment.desired && status.deployment.desired > 0;
}

/** Human-readable lines for `status`. */
export function formatClusterStatus(status: ClusterStatus, where: string): string {
  if (status.deployment === undefined) return `${where}: not deployed (no Deployment)\n`;
  const { deployment } = status;
  const lines = [
    `${where}: Deployment ${deployment.name} ${deployment.ready}/${deployment.desired} ready, ${deployment.updated}/${deployment.desired} updated${clusterReady(status) ? '' : ' (NOT ready)'}`,
  ];
  for (const pod of status.pods) {
    lines.push(
      `  pod ${pod.name}: ${pod.phase}${pod.ready ? ', ready' : ''}${pod.problems.length > 0 ? `; ${pod.problems.join('; ')}` : ''}`,
    );
  }
  const ports = Object.entries(status.nodePorts).map(([name, port]) => `${name}=${port}`);
  lines.push(`  NodePorts: ${ports.join(', ') || '(no Service)'}`);
  lines.push(`  nodes: ${status.nodeAddresses.join(', ') || '(none reported)'}`);
  const node = status.nodeAddresses[0];
  if (node !== undefined && status.nodePorts['http'] !== undefined) lines.push(`  HTTP API: http://${node}:${status.nodePorts['http']}`);
  return `${lines.join('\n')}\n`;
}
