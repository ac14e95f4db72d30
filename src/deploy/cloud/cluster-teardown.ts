import { notConfirmed } from '../errors.js';
import type { IamEditors } from '../iam/apply.js';
import { kubeTeardown } from '../kube/kube-deploy.js';
import type { ManifestOptions } from '../manifests/options.js';
import type { TeardownOutcome } from '../target.js';
import type { ClusterPlan } from './cluster-plan.js';
import { revokeRecorded } from './cluster-iam.js';
import { connectExistingCluster, type ClusterAccess } from './connect.js';

/** Options for {@link teardownCluster}. */
export interface ClusterTeardownOptions {
  readonly access: ClusterAccess;
  readonly plan: ClusterPlan | undefined;
  readonly manifest: ManifestOptions;
  /** GKE only: removes the IAM bindings deploy recorded on the ServiceAccount. */
  readonly iam?: IamEditors;
  /**
   * Asked before deleting a cluster that deploy created, with its name; resolves to true to delete.
   * Resolve to false to refuse; nothing is deleted then.
   */
  readonly confirmClusterDeletion: (clusterName: string) => Promise<boolean>;
  readonly write: (line: string) => void;
  /**
   * `deploy --cleanup`: whether that deploy call created the cluster. False keeps even a cluster
   * llm-deploy created earlier; true deletes it without asking. Undefined: `teardown`, which asks.
   */
  readonly createdNow?: boolean;
}

/**
 * `teardown` on a cluster: removes the IAM bindings deploy recorded, deletes the deployment's objects (reverse
 * order), then the GKE cluster when
 * deploy created it (label managed-by=llm-deploy) and the caller confirms. A cluster named by
 * EXISTING_CLUSTER_ID, or without the label, is kept.
 */
export async function teardownCluster(options: ClusterTeardownOptions): Promise<TeardownOutcome> {
  const { access, plan } = options;
  const connected = await connectExistingCluster(access, plan);
  if (connected === undefined) {
    options.write(`cluster ${plan?.name ?? ''} not found: nothing to tear down`);
    return 'absent';
  }
  const labelled = access.kind === 'gke' && plan !== undefined && plan.create && connected.cluster?.createdByLlmDeploy === true;
  const deletable = labelled && options.createdNow !== false;
  if (deletable && options.createdNow !== true && !(await options.confirmClusterDeletion(plan.name))) {
    throw notConfirmed(`delete GKE cluster ${plan.name}`, `type the cluster name (${plan.name}) when asked, or pass --yes`);
  }
  // The grants go first: while the ServiceAccount holds their record, a failed teardown can be run again.
  if (options.iam !== undefined) await revokeRecorded(connected.api, options.iam, options.manifest, options.write);
  const { lines, deleted } = await kubeTeardown(connected.api, options.manifest);
  for (const line of lines) options.write(line);
  const objects: TeardownOutcome = deleted > 0 ? 'removed' : 'absent';
  if (access.kind === 'kubeconfig' || plan === undefined) {
    options.write(`cluster kept (reached through a kubeconfig)${deleted > 0 ? '' : '; nothing of this deployment was on it'}`);
    return objects;
  }
  if (!deletable) {
    const why = labelled
      ? 'it was there before this deploy'
      : plan.create
        ? 'it was not created by llm-deploy: no managed-by=llm-deploy label'
        : 'EXISTING_CLUSTER_ID names it';
    options.write(`cluster ${plan.name} kept (${why})`);
    return objects;
  }
  const location = connected.cluster?.location ?? plan.location;
  options.write(`deleting GKE cluster ${plan.name} in ${location} ...`);
  await access.gke.deleteCluster(plan.projectId, location, plan.name, (message) => options.write(`  ${message}`));
  options.write(`cluster ${plan.name}: deleted`);
  return 'removed';
}
