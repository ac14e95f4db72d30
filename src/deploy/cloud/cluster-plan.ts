import type { DeploymentSettings } from '../../config/index.js';
import { cloudSettingMissing, compactPlacementUnsupported } from '../errors.js';
import type { GkeClusterSpec } from '../gke/client.js';

/** Which GKE cluster the gke target uses, and whether `deploy` may create it. */
export interface ClusterPlan {
  readonly projectId: string;
  /**
   * Where the cluster is expected: REGION for a created cluster (regional control plane, nodes in ZONE);
   * for EXISTING_CLUSTER_ID only a hint, since it is looked up across all zones and regions.
   */
  readonly location: string;
  readonly name: string;
  /** True when EXISTING_CLUSTER_ID is empty: deploy creates NAME_PREFIX-gke (or reuses it). */
  readonly create: boolean;
  /** The cluster deploy would create. */
  readonly spec: GkeClusterSpec;
}

/**
 * Machine families GKE places compactly: C2, C2D, C3, C3D, C4D, H3, H4D, N2, N2D, and the A100, L4 and
 * H100 GPU machines (a2, g2, a3): https://cloud.google.com/kubernetes-engine/docs/how-to/compact-placement
 */
export const COMPACT_PLACEMENT_FAMILIES: readonly string[] = ['a2', 'a3', 'g2', 'c2', 'c2d', 'c3', 'c3d', 'c4d', 'h3', 'h4d', 'n2', 'n2d'];

/** Resolves the cluster of the gke target from the settings; pure, calls nothing. */
export function gkeClusterPlan(settings: DeploymentSettings): ClusterPlan {
  const projectId = settings.projectId;
  if (projectId === undefined) throw cloudSettingMissing('PROJECT_ID', 'the GCP project of the cluster');
  const create = settings.existingClusterId === undefined;
  // As the original: a regional control plane (REGION, derived from ZONE) with the GPU nodes in ZONE alone.
  const location = create ? settings.region : (settings.zone ?? settings.region);
  if (location === undefined || (create && settings.zone === undefined))
    throw cloudSettingMissing('ZONE', 'ZONE (e.g. us-central1-a), the zone of the GPU nodes; REGION alone only with EXISTING_CLUSTER_ID');
  const family = settings.vmType.split('-')[0] ?? '';
  if (settings.gkeEnableCompactPlacement && !COMPACT_PLACEMENT_FAMILIES.includes(family))
    throw compactPlacementUnsupported(settings.vmType, COMPACT_PLACEMENT_FAMILIES);
  const name = settings.existingClusterId ?? `${settings.namePrefix}-gke`;
  return {
    projectId,
    location,
    name,
    create,
    spec: {
      projectId,
      location,
      nodeLocation: settings.zone,
      name,
      gkeVersion: settings.gkeVersion,
      machineType: settings.vmType,
      acceleratorType: settings.acceleratorType,
      gpuCountPerNode: settings.gpuCount,
      nodePoolCount: settings.gkeNodePoolCount,
      nodeCountPerPool: settings.gkeNodeCountPerNodePool,
      serviceAccount: undefined,
      diskSizeGb: settings.diskSizeGb,
      diskType: settings.diskType,
      compactPlacement: settings.gkeEnableCompactPlacement,
    },
  };
}

/** True for a region (`us-central1`), false for a zone (`us-central1-a`). */
export function isRegion(location: string): boolean {
  return !/-[a-z]$/.test(location);
}

/** The gcloud line that writes a kubeconfig entry for the cluster (`--region` or `--zone` as it is). */
export function getCredentialsCommand(name: string, location: string, projectId: string): string {
  return `gcloud container clusters get-credentials ${name} ${isRegion(location) ? '--region' : '--zone'} ${location} --project ${projectId}`;
}

/** A readable description of the plan for `deploy --dry-run`. */
export function describeClusterPlan(plan: ClusterPlan): string {
  if (!plan.create)
    return `cluster: use the existing GKE cluster ${plan.name} of project ${plan.projectId}, looked up in every zone and region\n`;
  const { spec } = plan;
  return [
    `cluster: create GKE cluster ${spec.name} in ${spec.location} (project ${spec.projectId}) unless it exists`,
    `  regional control plane in ${spec.location}; GPU nodes in ${spec.nodeLocation ?? 'GKE-chosen zones'} only`,
    `  version: ${spec.gkeVersion} (no release channel); workload identity pool ${spec.projectId}.svc.id.goog; label managed-by=llm-deploy`,
    `  node pools: ${spec.nodePoolCount} x ${spec.nodeCountPerPool} node(s) of ${spec.machineType}, ${spec.gpuCountPerNode} x ${spec.acceleratorType} each (GKE-installed drivers)`,
    `  node disks: ${spec.diskSizeGb} GB ${spec.diskType}; auto-upgrade off, auto-repair on${spec.compactPlacement ? '; compact placement' : ''}`,
    `  then: ${getCredentialsCommand(spec.name, spec.location, spec.projectId)}`,
    '',
  ].join('\n');
}
