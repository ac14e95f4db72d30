import type { DeploymentSettings } from '../../config/index.js';
import { cloudSettingMissing } from '../errors.js';
import type { GkeClusterSpec } from '../gke/client.js';

/** Which GKE cluster the gke target uses, and whether `deploy` may create it. */
export interface ClusterPlan {
  readonly projectId: string;
  /** ZONE, else REGION (a regional cluster). */
  readonly location: string;
  readonly name: string;
  /** True when EXISTING_CLUSTER_ID is empty: deploy creates NAME_PREFIX-gke (or reuses it). */
  readonly create: boolean;
  /** The cluster deploy would create. */
  readonly spec: GkeClusterSpec;
}

/** Resolves the cluster of the gke target from the settings; pure, calls nothing. */
export function gkeClusterPlan(settings: DeploymentSettings): ClusterPlan {
  const projectId = settings.projectId;
  if (projectId === undefined) throw cloudSettingMissing('PROJECT_ID', 'the GCP project of the cluster');
  const location = settings.zone ?? settings.region;
  if (location === undefined) throw cloudSettingMissing('ZONE', 'ZONE (e.g. us-central1-a) or REGION (e.g. us-central1)');
  const create = settings.existingClusterId === undefined;
  const name = settings.existingClusterId ?? `${settings.namePrefix}-gke`;
  return {
    projectId,
    location,
    name,
    create,
    spec: {
      projectId,
      location,
      name,
      gkeVersion: settings.gkeVersion,
      machineType: settings.vmType,
      acceleratorType: settings.acceleratorType,
      gpuCountPerNode: settings.gpuCount,
      nodePoolCount: settings.gkeNodePoolCount,
      nodeCountPerPool: settings.gkeNodeCountPerNodePool,
      serviceAccount: undefined,
    },
  };
}

/** A readable description of the plan for `deploy --dry-run`. */
export function describeClusterPlan(plan: ClusterPlan): string {
  if (!plan.create) return `cluster: use the existing GKE cluster ${plan.name} in ${plan.location} (project ${plan.projectId})\n`;
  const { spec } = plan;
  return [
    `cluster: create GKE cluster ${spec.name} in ${spec.location} (project ${spec.projectId}) unless it exists`,
    `  version: ${spec.gkeVersion}; workload identity pool ${spec.projectId}.svc.id.goog; label managed-by=llm-deploy`,
    `  node pools: ${spec.nodePoolCount} x ${spec.nodeCountPerPool} node(s) of ${spec.machineType}, ${spec.gpuCountPerNode} x ${spec.acceleratorType} each (GKE-installed drivers)`,
    '',
  ].join('\n');
}
