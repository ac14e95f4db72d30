import { BUCKET_IAM_ROLE, createBucketIam, type BucketIam, type GcsClientOptions } from '../../storage/index.js';
import { iamDenied, type IamShortfall } from '../errors.js';
import type { ManifestOptions } from '../manifests/options.js';
import type { GoogleEndpoint } from './google-endpoint.js';
import { needsProjectNumber, plannedBindings, PROJECT_NUMBER_PLACEHOLDER, resourceName, type IamBinding } from './iam-plan.js';
import { lookupProjectNumber } from './project-number.js';
import { SERVICE_ACCOUNT_IAM_ROLE, serviceAccountIam, type ServiceAccountIam } from './service-account-iam.js';

/** The IAM APIs deploy and teardown edit. */
export interface IamEditors {
  readonly bucket: BucketIam;
  readonly serviceAccount: ServiceAccountIam;
  readonly projectNumber: (projectId: string) => Promise<string>;
}

/** Options of {@link createIamEditors}. */
export interface IamEditorsOptions {
  /** The deploying identity's OAuth token (the GKE client's). */
  readonly token: () => Promise<string>;
  /** Cloud Storage (the storage client brings its own Application Default Credentials). */
  readonly gcs: GcsClientOptions;
  readonly resourceManagerEndpoint?: GoogleEndpoint;
  readonly iamEndpoint?: GoogleEndpoint;
}

/** The official storage client's bucket IAM, Resource Manager's projects.get and IAM's service-account policies. */
export function createIamEditors(options: IamEditorsOptions): IamEditors {
  return {
    bucket: createBucketIam(options.gcs),
    serviceAccount: serviceAccountIam({ token: options.token, ...endpoint(options.iamEndpoint) }),
    projectNumber: (projectId) => lookupProjectNumber(projectId, { token: options.token, ...endpoint(options.resourceManagerEndpoint) }),
  };
}

/**
 * The grants the pods need, with the project number looked up, after checking the deploying identity may make
 * every one of them: a caller without the rights gets one error naming each role it lacks, before anything exists.
 */
export async function prepareGrants(editors: IamEditors, manifest: ManifestOptions, projectId: string): Promise<IamBinding[]> {
  const number = needsProjectNumber(manifest) ? await editors.projectNumber(projectId) : PROJECT_NUMBER_PLACEHOLDER;
  const bindings = plannedBindings(manifest, projectId, number);
  const shortfalls: IamShortfall[] = [];
  for (const resource of new Set(bindings.filter((binding) => binding.on === 'service-account').map((binding) => binding.resource))) {
    const missing = await editors.serviceAccount.missingPermissions(resource);
    if (missing.length > 0) shortfalls.push({ resource, missing, role: SERVICE_ACCOUNT_IAM_ROLE });
  }
  for (const bucket of new Set(bindings.filter((binding) => binding.on === 'bucket').map((binding) => binding.resource))) {
    const missing = await editors.bucket.missingPermissions(bucket);
    if (missing.length > 0) shortfalls.push({ resource: `gs://${bucket}`, missing, role: BUCKET_IAM_ROLE });
  }
  if (shortfalls.length > 0) throw iamDenied(shortfalls);
  return bindings;
}

/**
 * Grants every binding in order and returns those it added (a member already granted is not ours to remove
 * later). When one fails, those this call added are taken back before the error goes on.
 */
export async function grantAll(editors: IamEditors, bindings: readonly IamBinding[]): Promise<IamBinding[]> {
  const added: IamBinding[] = [];
  try {
    for (const binding of bindings) if (await change(editors, binding, 'add')) added.push(binding);
  } catch (error) {
    await revokeAll(editors, added).catch(() => undefined);
    throw error;
  }
  return added;
}

/** Removes exactly the bindings deploy recorded as added; returns those that were still there. */
export async function revokeAll(editors: IamEditors, added: readonly IamBinding[]): Promise<IamBinding[]> {
  const removed: IamBinding[] = [];
  for (const binding of added) if (await change(editors, binding, 'remove')) removed.push(binding);
  return removed;
}

/** One line per binding: `ROLE on RESOURCE for MEMBER`. */
export function bindingLine(binding: IamBinding): string {
  return `${binding.role} on ${resourceName(binding)} for ${binding.member}`;
}

function change(editors: IamEditors, binding: IamBinding, how: 'add' | 'remove'): Promise<boolean> {
  const grant = { role: binding.role, member: binding.member };
  return binding.on === 'bucket'
    ? editors.bucket[how]({ ...grant, bucket: binding.resource })
    : editors.serviceAccount[how]({ ...grant, email: binding.resource });
}

function endpoint(value: GoogleEndpoint | undefined): { endpoint?: GoogleEndpoint } {
  return value === undefined ? {} : { endpoint: value };
}
