import { z } from 'zod';
import type { LlmDeployError } from '../config/index.js';
import { storageError } from './errors.js';

/** One member to add to (or remove from) one role of a bucket's IAM policy. */
export interface BucketMember {
  readonly bucket: string;
  readonly role: string;
  readonly member: string;
}

/** IAM edits on one kind of resource: each reads the policy (version 3) and writes it back with its etag. */
export interface IamEditor<Grant> {
  /** Adds the member; resolves false when the policy already granted it (nothing written). */
  add(grant: Grant): Promise<boolean>;
  /** Removes the member; resolves false when it was not there (nothing written). */
  remove(grant: Grant): Promise<boolean>;
  /** The permissions needed to edit the resource's policy that the caller lacks (testIamPermissions). */
  missingPermissions(resource: string): Promise<string[]>;
}

/** Bucket-level IAM edits; `missingPermissions` tests {@link BUCKET_IAM_PERMISSIONS} on a bucket name. */
export type BucketIam = IamEditor<BucketMember>;

/** One role and member of an IAM policy, whatever resource it is on. */
export interface PolicyMember {
  readonly role: string;
  readonly member: string;
}

/**
 * An IAM policy as Google APIs return it (Cloud Storage buckets, IAM service accounts: the same `Policy`
 * message, https://cloud.google.com/iam/docs/reference/rest/v1/Policy); conditional bindings are kept untouched.
 */
const Policy = z.object({
  version: z.number().optional(),
  etag: z.string().optional(),
  bindings: z
    .array(
      z.object({
        role: z.string(),
        members: z.array(z.string()).default([]),
        condition: z.object({ expression: z.string(), title: z.string().optional(), description: z.string().optional() }).optional(),
      }),
    )
    .default([]),
});
export type IamPolicy = z.infer<typeof Policy>;

/** Parses a policy read from an API; a malformed answer is an error naming the resource. */
export function parseIamPolicy(value: unknown, resource: string): IamPolicy {
  const parsed = Policy.safeParse(value);
  if (parsed.success) return parsed.data;
  return failPolicy(resource, parsed.error.issues[0]?.message ?? 'not an IAM policy');
}

/** What the official client's `bucket.iam` offers that we use. */
export interface PolicyPort {
  get(bucket: string): Promise<unknown>;
  set(bucket: string, policy: IamPolicy): Promise<void>;
  /** Which of `permissions` the caller holds on the bucket. */
  test(bucket: string, permissions: readonly string[]): Promise<Record<string, boolean>>;
}

/** The role a caller needs to read and set bucket IAM policies (storage.buckets.getIamPolicy/setIamPolicy). */
export const BUCKET_IAM_ROLE = 'roles/storage.admin';
/** What editing a bucket's IAM policy takes. */
export const BUCKET_IAM_PERMISSIONS: readonly string[] = ['storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy'];

/** Bucket IAM over a policy port; read-modify-write, the etag guarding against concurrent writers. */
export function bucketIam(port: PolicyPort): BucketIam {
  const edit = async (grant: BucketMember, change: (policy: IamPolicy) => IamPolicy | undefined): Promise<boolean> => {
    const policy = parseIamPolicy(await port.get(grant.bucket), `gs://${grant.bucket}`);
    const changed = change(policy);
    if (changed === undefined) return false;
    await port.set(grant.bucket, changed);
    return true;
  };
  return {
    add: (grant) => edit(grant, (policy) => withMember(policy, grant)),
    remove: (grant) => edit(grant, (policy) => withoutMember(policy, grant)),
    missingPermissions: async (bucket) => {
      const held = await port.test(bucket, BUCKET_IAM_PERMISSIONS);
      return BUCKET_IAM_PERMISSIONS.filter((permission) => held[permission] !== true);
    },
  };
}

/** The policy with the member added to an unconditional binding of the role; undefined when already there. */
export function withMember(policy: IamPolicy, grant: PolicyMember): IamPolicy | undefined {
  const plain = (binding: IamPolicy['bindings'][number]) => binding.role === grant.role && binding.condition === undefined;
  if (policy.bindings.some((binding) => plain(binding) && binding.members.includes(grant.member))) return undefined;
  const index = policy.bindings.findIndex(plain);
  const bindings =
    index === -1
      ? [...policy.bindings, { role: grant.role, members: [grant.member] }]
      : policy.bindings.map((binding, at) => (at === index ? { ...binding, members: [...binding.members, grant.member] } : binding));
  return { ...policy, version: 3, bindings };
}

/** The policy without the member in the role's unconditional binding (emptied bindings dropped); undefined when absent. */
export function withoutMember(policy: IamPolicy, grant: PolicyMember): IamPolicy | undefined {
  const hit = (binding: IamPolicy['bindings'][number]) =>
    binding.role === grant.role && binding.condition === undefined && binding.members.includes(grant.member);
  if (!policy.bindings.some(hit)) return undefined;
  const bindings = policy.bindings
    .map((binding) => (hit(binding) ? { ...binding, members: binding.members.filter((member) => member !== grant.member) } : binding))
    .filter((binding) => binding.members.length > 0);
  return { ...policy, version: 3, bindings };
}

const ErrorShape = z.object({ code: z.number().optional() });

/** Our error for a failed policy read or write: 403 names the role the caller lacks. */
export function iamError(cause: unknown, bucket: string, action: string): LlmDeployError {
  const parsed = ErrorShape.safeParse(cause);
  const status = parsed.success ? parsed.data.code : undefined;
  if (status === 403 || status === 401) {
    return storageError('STORAGE_IAM_DENIED', `not allowed to ${action} of gs://${bucket}`, {
      file: `gs://${bucket}`,
      httpStatus: 403,
      expected: `${BUCKET_IAM_ROLE} on gs://${bucket} (or the project) for the deploying identity`,
      cause,
    });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  const stale = status === 412 ? ' (the policy changed meanwhile; run deploy again)' : '';
  return storageError('STORAGE_IAM_FAILED', `could not ${action} of gs://${bucket}${stale}`, {
    file: `gs://${bucket}`,
    given: detail.slice(0, 200),
    cause,
  });
}

function failPolicy(resource: string, detail: string): never {
  throw storageError('STORAGE_IAM_FAILED', `the IAM policy of ${resource} could not be read`, {
    file: resource,
    given: detail.slice(0, 200),
  });
}
