import { clusterAmbiguous, clusterNotFound, deployStepFailed } from '../errors.js';
import type { GkeApi, GkeClusterAccess } from '../gke/client.js';
import { createKubeApi, type KubeApi } from '../kube/client.js';
import { getCredentialsCommand, type ClusterPlan } from './cluster-plan.js';

/** How the gke target reaches Kubernetes: through GKE (the default), or a kubeconfig (any cluster). */
export type ClusterAccess =
  | {
      readonly kind: 'gke';
      readonly gke: GkeApi;
      /** Plain HTTP to the cluster endpoint, TLS checks off: loopback tests only. */
      readonly insecureHttp?: boolean;
    }
  | { readonly kind: 'kubeconfig'; readonly path?: string; readonly context?: string };

/** A step runner, as StepProgress.run. */
export type StepRunner = <T>(title: string, work: (note: (message: string) => void) => Promise<T>) => Promise<T>;

/**
 * The planned cluster wherever it is: one list of all zones and regions, so a regional cluster is found
 * with ZONE set (and a zonal one with REGION). Two of that name: an error naming both locations.
 */
export async function locateCluster(gke: GkeApi, plan: ClusterPlan): Promise<GkeClusterAccess | undefined> {
  const found = await gke.findClusters(plan.projectId, plan.name);
  if (found.length > 1)
    throw clusterAmbiguous(
      plan.name,
      found.map((cluster) => cluster.location),
      plan.projectId,
    );
  return found[0];
}

/** Finds the planned cluster; creates it (and waits for the operation) when the plan allows and it is absent. */
export async function ensureCluster(
  gke: GkeApi,
  plan: ClusterPlan,
  note: (message: string) => void,
): Promise<{ cluster: GkeClusterAccess; createdNow: boolean }> {
  const found = await locateCluster(gke, plan);
  if (found !== undefined) {
    if (found.status === 'STOPPING' || found.status === 'ERROR')
      throw deployStepFailed(
        `use GKE cluster ${plan.name}`,
        `GKE reports it ${found.status}; wait for it to go, or fix it, then deploy again`,
      );
    note(
      `found ${plan.name} in ${found.location} (${found.status}${found.createdByLlmDeploy ? ', created by llm-deploy' : ''}); reusing it`,
    );
    note(`kubectl access: ${getCredentialsCommand(plan.name, found.location, plan.projectId)}`);
    return { cluster: found, createdNow: false };
  }
  if (!plan.create) throw clusterNotFound(plan.name, plan.location, plan.projectId);
  note(`creating ${plan.name}; GKE takes several minutes`);
  await gke.createCluster(plan.spec, note);
  const created = await gke.getCluster(plan.projectId, plan.location, plan.name);
  if (created === undefined) throw clusterNotFound(plan.name, plan.location, plan.projectId);
  note(`kubectl access: ${getCredentialsCommand(plan.name, plan.location, plan.projectId)}`);
  return { cluster: created, createdNow: true };
}

/** The API server URL used for a cluster: its https endpoint, or plain http in loopback tests. */
export function kubeServer(cluster: GkeClusterAccess, insecureHttp = false): string {
  return insecureHttp ? cluster.endpoint.replace(/^https:/, 'http:') : cluster.endpoint;
}

/** The Kubernetes client for a GKE cluster: its endpoint, its CA and a Google access token. */
export async function kubeApiForCluster(gke: GkeApi, cluster: GkeClusterAccess, insecureHttp = false): Promise<KubeApi> {
  const token = await gke.accessToken();
  const server = kubeServer(cluster, insecureHttp);
  if (insecureHttp) return createKubeApi({ kind: 'endpoint', server, token, skipTlsVerify: true });
  return createKubeApi({ kind: 'endpoint', server, caData: cluster.caData, token });
}

/** The Kubernetes client for an existing cluster (status, teardown): never creates anything; undefined when GKE has no such cluster. */
export async function connectExistingCluster(
  access: ClusterAccess,
  plan: ClusterPlan | undefined,
): Promise<{ api: KubeApi; cluster: GkeClusterAccess | undefined } | undefined> {
  if (access.kind === 'kubeconfig') {
    return { api: createKubeApi({ kind: 'kubeconfig', ...optional(access) }), cluster: undefined };
  }
  if (plan === undefined) return undefined;
  const cluster = await locateCluster(access.gke, plan);
  if (cluster === undefined) return undefined;
  return { api: await kubeApiForCluster(access.gke, cluster, access.insecureHttp), cluster };
}

/** The kubeconfig path/context fields that are set. */
export function optional(access: { readonly path?: string; readonly context?: string }): { path?: string; context?: string } {
  return {
    ...(access.path === undefined ? {} : { path: access.path }),
    ...(access.context === undefined ? {} : { context: access.context }),
  };
}
