/**
 * The only importer of @google-cloud/resource-manager. Its client runs over HTTP/JSON (gax `fallback`), so
 * tests point it at a loopback server with `apiEndpoint`/`port`/`protocol`, as the GKE client is.
 */
import { ProjectsClient } from '@google-cloud/resource-manager';
import { LlmDeployError } from '../../config/index.js';
import { credentialsMissing } from '../errors.js';
import { grpcCode, type GoogleEndpoint } from './google-endpoint.js';

/** Options of {@link lookupProjectNumber}. */
export interface ProjectNumberOptions {
  /** An OAuth access token of the deploying identity (the GKE client's). */
  readonly token: () => Promise<string>;
  /** Resource Manager elsewhere than cloudresourcemanager.googleapis.com (tests). */
  readonly endpoint?: GoogleEndpoint;
}

/**
 * The number of a project (Workload Identity principals name it, not the id), through Resource Manager v3
 * `projects.get`: its `name` is "projects/{project_number}"
 * (https://cloud.google.com/resource-manager/reference/rest/v3/projects/get).
 */
export async function lookupProjectNumber(projectId: string, options: ProjectNumberOptions): Promise<string> {
  const client = new ProjectsClient({
    fallback: true,
    ...(options.endpoint === undefined ? {} : options.endpoint),
    // The client's own google-auth-library is another major than ours (their clients do not mix); it only
    // needs `fetch`, so requests carry the deploying identity's token from our one auth library.
    auth: tokenAuth(options.token) as unknown as NonNullable<NonNullable<ConstructorParameters<typeof ProjectsClient>[0]>['auth']>,
  });
  try {
    const [project] = await client.getProject({ name: `projects/${projectId}` });
    const number = /^projects\/(\d+)$/.exec(project.name ?? '')?.[1];
    if (number === undefined) throw projectLookupFailed(projectId, `the answer names no projects/NUMBER (${project.name ?? ''})`, 502);
    return number;
  } catch (error) {
    if (LlmDeployError.isInstance(error)) throw error;
    throw asLookupError(projectId, error);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** gax's fallback transport calls `auth.getClient()` once and then `auth.fetch(url, init)` per request. */
function tokenAuth(token: () => Promise<string>) {
  const auth = {
    getClient: () => Promise.resolve(auth),
    getUniverseDomain: () => Promise.resolve('googleapis.com'),
    fetch: async (url: string, init: RequestInit): Promise<Response> => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await token()}`);
      return fetch(url, { ...init, headers });
    },
  };
  return auth;
}

function asLookupError(projectId: string, error: unknown): LlmDeployError {
  const code = grpcCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 16) return credentialsMissing(`look up project ${projectId}: unauthenticated (${detail})`);
  // A project the caller may not see and one that does not exist both answer PERMISSION_DENIED (7).
  if (code === 7 || code === 5) return projectLookupFailed(projectId, `Resource Manager refused: ${detail}`, 403);
  return projectLookupFailed(projectId, detail, 502, error);
}

function projectLookupFailed(projectId: string, detail: string, httpStatus: number, cause?: unknown): LlmDeployError {
  return new LlmDeployError(`could not look up the number of project ${projectId}: ${detail}`, {
    code: 'DEPLOY_PROJECT_LOOKUP_FAILED',
    httpStatus,
    field: 'PROJECT_ID',
    given: projectId,
    ...(httpStatus === 403 ? { expected: 'roles/browser (resourcemanager.projects.get) on the project for the deploying identity' } : {}),
    cause,
  });
}
