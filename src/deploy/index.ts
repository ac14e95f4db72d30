export { manifestOptionsFromSettings, HTTP_PORT, KSERVE_PORT } from './manifests/options.js';
export type { ManifestOptions } from './manifests/options.js';
export { labelsFor, servingLabelsFor } from './manifests/objects.js';
export { manifestFileName, manifestsToYaml, renderManifests } from './manifests/render.js';
export type { Container, KubeObject, ObjectMeta, Probe } from './manifests/types.js';
export { formatDifferences, jsonDifferences, verifyDeployment } from './verify.js';
export type { JsonDifference, VerifyOptions } from './verify.js';
export { deployLocal, localStatus, teardownLocal } from './local/local-target.js';
export type { LocalDeployOptions, LocalDeployment, LocalStatus } from './local/local-target.js';
export { StepProgress } from './progress.js';
export { endpointSummary } from './endpoints.js';
export { createKubeApi, KubeRequestError } from './kube/client.js';
export type { KubeApi, KubeConnection, PodSummary } from './kube/client.js';
export { kubeDeploy, kubeTeardown } from './kube/kube-deploy.js';
export type { KubeDeployOptions, KubeEndpoints } from './kube/kube-deploy.js';
export { createGkeApi } from './gke/client.js';
export type { GkeApi, GkeClientOptions, GkeClusterAccess, GkeClusterSpec } from './gke/client.js';
export { MANAGED_BY_LABEL } from './gke/client.js';
export { nvidiaDriverInstaller } from './gke/driver-installer.js';
export { describeClusterPlan, gkeClusterPlan } from './cloud/cluster-plan.js';
export type { ClusterPlan } from './cloud/cluster-plan.js';
export { connectExistingCluster } from './cloud/connect.js';
export type { ClusterAccess } from './cloud/connect.js';
export { clusterSummary, deployToCluster } from './cloud/gke-deploy.js';
export type { ClusterDeployment, ClusterDeployOptions } from './cloud/gke-deploy.js';
export { clusterReady, clusterStatus, formatClusterStatus } from './cloud/cluster-status.js';
export type { ClusterStatus } from './cloud/cluster-status.js';
export { teardownCluster } from './cloud/cluster-teardown.js';
export type { ClusterTeardownOptions } from './cloud/cluster-teardown.js';
export { createTarget } from './create-target.js';
export type { CreateTargetOptions } from './create-target.js';
export type {
  DeployTarget,
  TargetDeployment,
  TargetDeployOptions,
  TargetKind,
  TargetStatus,
  TargetTeardownOptions,
  TeardownOutcome,
} from './target.js';
export { localTarget } from './local/local-deploy-target.js';
export type { LocalTargetOptions } from './local/local-deploy-target.js';
export { gkeTarget, kubeconfigTarget } from './cloud/cluster-target.js';
export type { ClusterTargetOptions, GkeTargetOptions, KubeconfigTargetOptions } from './cloud/cluster-target.js';
export { conversionArgs } from './conversion.js';
export type { Conversion } from './conversion.js';
