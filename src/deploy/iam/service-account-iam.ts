import { z } from 'zod';
import { parseIamPolicy, withMember, withoutMember, type IamEditor, type IamPolicy, type PolicyMember } from '../../storage/index.js';
import { iamDenied, iamRequestFailed, serviceAccountMissing } from '../errors.js';
import { endpointUrl, type GoogleEndpoint } from './google-endpoint.js';

/** The role that lets the deploying identity read and set a service account's IAM policy. */
export const SERVICE_ACCOUNT_IAM_ROLE = 'roles/iam.serviceAccountAdmin';
/** What editing a service account's IAM policy takes. */
export const SERVICE_ACCOUNT_IAM_PERMISSIONS: readonly string[] = ['iam.serviceAccounts.getIamPolicy', 'iam.serviceAccounts.setIamPolicy'];

/** One member to add to (or remove from) one role on a Google service account. */
export interface ServiceAccountMember extends PolicyMember {
  readonly email: string;
}

/**
 * IAM edits on a Google service account (the account as a resource); `missingPermissions` throws
 * DEPLOY_SERVICE_ACCOUNT_MISSING when the account does not exist.
 */
export type ServiceAccountIam = IamEditor<ServiceAccountMember>;

/** Options of {@link serviceAccountIam}. */
export interface ServiceAccountIamOptions {
  /** An OAuth access token of the deploying identity (the GKE client's google-auth-library). */
  readonly token: () => Promise<string>;
  /** IAM elsewhere than iam.googleapis.com (tests). */
  readonly endpoint?: GoogleEndpoint;
}

const Permissions = z.object({ permissions: z.array(z.string()).default([]) });

/**
 * IAM v1 projects.serviceAccounts get, testIamPermissions, getIamPolicy and setIamPolicy
 * (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts). Google publishes no small
 * Node client for these, so they are plain authorized requests carrying the token of our one auth library.
 * `projects/-` lets IAM infer the project from the e-mail.
 */
export function serviceAccountIam(options: ServiceAccountIamOptions): ServiceAccountIam {
  const base = `${endpointUrl(options.endpoint, 'https://iam.googleapis.com')}/v1/projects/-/serviceAccounts`;
  const call = async (email: string, verb: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const url = `${base}/${encodeURIComponent(email)}${verb === 'get' ? '' : `:${verb}`}`;
    const headers = { authorization: `Bearer ${await options.token()}`, 'content-type': 'application/json' };
    try {
      const response = await fetch(url, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: response.status, json: await response.json().catch(() => undefined) };
    } catch (cause) {
      throw iamRequestFailed(`${verb} of service account ${email}`, `${url} could not be reached`, cause);
    }
  };
  const checked = async (email: string, verb: string, body?: unknown): Promise<unknown> => {
    const { status, json } = await call(email, verb, body);
    if (status === 200) return json;
    if (status === 404) throw serviceAccountMissing(email);
    if (status === 401 || status === 403)
      throw iamDenied([{ resource: email, missing: SERVICE_ACCOUNT_IAM_PERMISSIONS, role: SERVICE_ACCOUNT_IAM_ROLE }]);
    // https://cloud.google.com/iam/docs/policies#etag: a stale etag is refused with 409 ABORTED.
    const stale = status === 409 ? ' (the policy changed meanwhile; run the command again)' : '';
    throw iamRequestFailed(`${verb} of service account ${email}`, `IAM answered ${status}${stale}`);
  };
  const edit = async (grant: ServiceAccountMember, change: (policy: IamPolicy) => IamPolicy | undefined): Promise<boolean> => {
    const read = await checked(grant.email, 'getIamPolicy', { options: { requestedPolicyVersion: 3 } });
    const changed = change(parseIamPolicy(read, grant.email));
    if (changed === undefined) return false;
    await checked(grant.email, 'setIamPolicy', { policy: changed });
    return true;
  };
  return {
    add: (grant) => edit(grant, (policy) => withMember(policy, grant)),
    remove: (grant) => edit(grant, (policy) => withoutMember(policy, grant)),
    async missingPermissions(email) {
      const { status } = await call(email, 'get');
      if (status === 404) throw serviceAccountMissing(email);
      const answer = Permissions.safeParse(await checked(email, 'testIamPermissions', { permissions: SERVICE_ACCOUNT_IAM_PERMISSIONS }));
      const held = answer.success ? answer.data.permissions : [];
      return SERVICE_ACCOUNT_IAM_PERMISSIONS.filter((permission) => !held.includes(permission));
    },
  };
}
