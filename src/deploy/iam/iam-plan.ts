import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';
import { parseStorageLocation } from '../../storage/index.js';
import type { ManifestOptions } from '../manifests/options.js';

/** One IAM binding deploy makes: `member` gets `role` on a bucket (`resource` is its name) or a Google service account (its e-mail). */
export interface IamBinding {
  readonly on: 'bucket' | 'service-account';
  readonly resource: string;
  readonly role: string;
  readonly member: string;
}

/** Written in place of the project number where it is not known yet (dry run). */
export const PROJECT_NUMBER_PLACEHOLDER = 'PROJECT_NUMBER';

/** Read access to objects: what the pod needs on the model bucket. */
export const OBJECT_VIEWER = 'roles/storage.objectViewer';
/** Read, create and overwrite objects (no IAM or bucket settings): what the conversion needs on the upload bucket. */
export const OBJECT_USER = 'roles/storage.objectUser';
/** Lets a Kubernetes ServiceAccount act as a Google service account. */
export const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';

/** The KSA annotation holding the bindings deploy added (JSON), so teardown removes those and only those. */
export const IAM_BINDINGS_ANNOTATION = 'llm-deploy.dev/iam-bindings';

/**
 * The pod's identity under GKE Workload Identity Federation, granted directly without a Google service account
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#authenticate-to-apis).
 */
export function workloadPrincipal(projectNumber: string, projectId: string, namespace: string, ksaName: string): string {
  return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${projectId}.svc.id.goog/subject/ns/${namespace}/sa/${ksaName}`;
}

/**
 * The KSA as a member of a Google service account's policy, for the workloadIdentityUser binding
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#kubernetes-sa-to-iam).
 */
export function kubernetesServiceAccountMember(projectId: string, namespace: string, ksaName: string): string {
  return `serviceAccount:${projectId}.svc.id.goog[${namespace}/${ksaName}]`;
}

/** Whether the plan names the project number (direct grants to buckets), so deploy must look it up. */
export function needsProjectNumber(manifest: ManifestOptions): boolean {
  return manifest.gcpServiceAccount === undefined && modelBuckets(manifest).length > 0;
}

/**
 * The grants the pods need, least privilege. Default: objectViewer on the model bucket and objectUser on the
 * converted-model bucket (FasterTransformer) for the Workload Identity principal of the KSA. With
 * GCP_SERVICE_ACCOUNT: workloadIdentityUser for the KSA on that account, and the bucket grants to the account.
 * One binding per bucket and role: when both paths share a bucket, objectUser alone covers the reads too.
 */
export function plannedBindings(manifest: ManifestOptions, projectId: string, projectNumber: string): IamBinding[] {
  const account = manifest.gcpServiceAccount;
  const member =
    account === undefined
      ? workloadPrincipal(projectNumber, projectId, manifest.namespace, manifest.serviceAccountName)
      : `serviceAccount:${account}`;
  const bindings: IamBinding[] =
    account === undefined
      ? []
      : [
          {
            on: 'service-account',
            resource: account,
            role: WORKLOAD_IDENTITY_USER,
            member: kubernetesServiceAccountMember(projectId, manifest.namespace, manifest.serviceAccountName),
          },
        ];
  for (const { bucket, role } of modelBuckets(manifest)) bindings.push({ on: 'bucket', resource: bucket, role, member });
  return bindings;
}

/** The dry run's lines: every IAM change deploy would make (role, member, resource). */
export function describeBindings(bindings: readonly IamBinding[]): string {
  if (bindings.length === 0) return 'iam: no grants (the model source is not in Cloud Storage)\n';
  const lines = bindings.map((binding) => `  grant ${binding.role} on ${resourceName(binding)} to ${binding.member}`);
  const number = bindings.some((binding) => binding.member.includes(`/projects/${PROJECT_NUMBER_PLACEHOLDER}/`))
    ? ' (PROJECT_NUMBER is looked up from PROJECT_ID at deploy time)'
    : '';
  const kind = bindings.some((binding) => binding.on === 'service-account')
    ? 'Workload Identity through GCP_SERVICE_ACCOUNT'
    : 'bucket-level Workload Identity grants';
  return `iam: ${kind}${number}; teardown removes only those deploy added\n${lines.join('\n')}\n`;
}

/** How a binding's resource is written for people: `gs://bucket` or `service account EMAIL`. */
export function resourceName(binding: IamBinding): string {
  return binding.on === 'bucket' ? `gs://${binding.resource}` : `service account ${binding.resource}`;
}

const Recorded = z.array(
  z.object({ on: z.enum(['bucket', 'service-account']), resource: z.string(), role: z.string(), member: z.string() }),
);

/** The annotation's bindings; none when absent; an error when it is not what deploy wrote. */
export function recordedBindings(annotation: string | undefined, ksaName: string): IamBinding[] {
  if (annotation === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(annotation);
  } catch {
    json = undefined;
  }
  const parsed = Recorded.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new LlmDeployError(`the ${IAM_BINDINGS_ANNOTATION} annotation of ServiceAccount ${ksaName} is not what deploy wrote`, {
    code: 'DEPLOY_IAM_RECORD_INVALID',
    httpStatus: 500,
    field: IAM_BINDINGS_ANNOTATION,
    given: annotation.slice(0, 200),
    expected: 'a JSON list of {on, resource, role, member}; remove those grants by hand, then the annotation',
  });
}

/** `earlier` plus the bindings of `added` not already in it. */
export function mergeBindings(earlier: readonly IamBinding[], added: readonly IamBinding[]): IamBinding[] {
  const key = (binding: IamBinding) => JSON.stringify([binding.on, binding.resource, binding.role, binding.member]);
  const seen = new Set(earlier.map(key));
  return [...earlier, ...added.filter((binding) => !seen.has(key(binding)))];
}

function modelBuckets(manifest: ManifestOptions): { bucket: string; role: string }[] {
  const upload = manifest.fasterTransformer === undefined ? undefined : gcsBucket(manifest.fasterTransformer.convertedPath);
  const model = gcsBucket(manifest.modelSource);
  const buckets: { bucket: string; role: string }[] = [];
  if (model !== undefined && model !== upload) buckets.push({ bucket: model, role: OBJECT_VIEWER });
  if (upload !== undefined) buckets.push({ bucket: upload, role: OBJECT_USER });
  return buckets;
}

function gcsBucket(path: string): string | undefined {
  const location = parseStorageLocation(path);
  return location.kind === 'gcs' ? location.bucket : undefined;
}
