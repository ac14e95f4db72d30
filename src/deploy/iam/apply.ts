import type { BucketIam } from '../../storage/index.js';
import type { IamBinding } from './iam-plan.js';

/**
 * Grants every binding in order and returns those it added (a member already granted is not ours to remove
 * later). The first refusal stops it, so a caller without IAM rights fails before anything else is created.
 */
export async function grantAll(iam: BucketIam, bindings: readonly IamBinding[]): Promise<IamBinding[]> {
  const added: IamBinding[] = [];
  for (const binding of bindings) if (await iam.add(binding)) added.push(binding);
  return added;
}

/** Removes exactly the bindings deploy recorded as added; returns how many were still there. */
export async function revokeAll(iam: BucketIam, added: readonly IamBinding[]): Promise<number> {
  let removed = 0;
  for (const binding of added) if (await iam.remove(binding)) removed += 1;
  return removed;
}
