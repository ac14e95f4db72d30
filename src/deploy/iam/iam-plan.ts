import { parseStorageLocation } from '../../storage/index.js';
import type { ManifestOptions } from '../manifests/options.js';

/** One IAM binding deploy makes: `member` gets `role` on `resource` (a bucket, `gs://name`). */
export interface IamBinding {
  readonly bucket: string;
  readonly role: string;
  readonly member: string;
}

/** Written in place of the project number where it is not known yet (dry run). */
export const PROJECT_NUMBER_PLACEHOLDER = 'PROJECT_NUMBER';

/** Read access to objects: what the pod needs on the model bucket. */
export const OBJECT_VIEWER = 'roles/storage.objectViewer';
/** Read, create and overwrite objects (no IAM or bucket settings): what the conversion needs on the upload bucket. */
export const OBJECT_USER = 'roles/storage.objectUser';

/**
 * The pod's identity under GKE Workload Identity Federation, granted directly without a Google service account
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#authenticate-to-apis).
 */
export function workloadPrincipal(projectNumber: string, projectId: string, namespace: string, ksaName: string): string {
  return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${projectId}.svc.id.goog/subject/ns/${namespace}/sa/${ksaName}`;
}

/**
 * The bucket-level grants the pods need, least privilege: objectViewer on the model bucket, objectUser on the
 * converted-model bucket (FasterTransformer). Pure; a local model source needs none. One binding per bucket
 * and role: when both paths share a bucket, objectUser alone covers the reads too.
 */
export function plannedBindings(manifest: ManifestOptions, projectId: string, projectNumber: string): IamBinding[] {
  const member = workloadPrincipal(projectNumber, projectId, manifest.namespace, manifest.serviceAccountName);
  const upload = manifest.fasterTransformer === undefined ? undefined : gcsBucket(manifest.fasterTransformer.convertedPath);
  const model = gcsBucket(manifest.modelSource);
  const bindings: IamBinding[] = [];
  if (model !== undefined && model !== upload) bindings.push({ bucket: model, role: OBJECT_VIEWER, member });
  if (upload !== undefined) bindings.push({ bucket: upload, role: OBJECT_USER, member });
  return bindings;
}

/** The dry run's lines: every IAM change deploy would make. */
export function describeBindings(bindings: readonly IamBinding[]): string {
  if (bindings.length === 0) return 'iam: no bucket grants (the model source is not in Cloud Storage)\n';
  const lines = bindings.map((binding) => `  grant ${binding.role} on gs://${binding.bucket} to ${binding.member}`);
  const number = bindings.some((binding) => binding.member.includes(`/projects/${PROJECT_NUMBER_PLACEHOLDER}/`))
    ? ' (PROJECT_NUMBER is looked up from PROJECT_ID at deploy time)'
    : '';
  return `iam: bucket-level Workload Identity grants${number}; teardown removes only those deploy added\n${lines.join('\n')}\n`;
}

function gcsBucket(path: string): string | undefined {
  const location = parseStorageLocation(path);
  return location.kind === 'gcs' ? location.bucket : undefined;
}
