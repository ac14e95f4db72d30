import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';

/** Resource Manager's public endpoint; tests point at a loopback server. */
export const RESOURCE_MANAGER_ENDPOINT = 'https://cloudresourcemanager.googleapis.com';

/** Options of {@link lookupProjectNumber}. */
export interface ProjectNumberOptions {
  /** An OAuth access token of the deploying identity (the GKE client's). */
  readonly token: () => Promise<string>;
  readonly endpoint?: string;
}

// https://cloud.google.com/resource-manager/reference/rest/v3/projects/get: `name` is "projects/{project_number}".
const Project = z.object({ name: z.string().regex(/^projects\/\d+$/) });

/**
 * The number of a project (Workload Identity principals name it, not the id), through Resource Manager v3
 * `projects.get` over HTTP with the caller's token: no Resource Manager client is a dependency.
 */
export async function lookupProjectNumber(projectId: string, options: ProjectNumberOptions): Promise<string> {
  const url = `${options.endpoint ?? RESOURCE_MANAGER_ENDPOINT}/v3/projects/${encodeURIComponent(projectId)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${await options.token()}` } });
  } catch (cause) {
    throw projectLookupFailed(projectId, `${url} could not be reached`, { httpStatus: 502, cause });
  }
  if (response.status === 403 || response.status === 404)
    throw projectLookupFailed(projectId, `Resource Manager answered ${response.status}`, {
      httpStatus: 403,
      expected: 'roles/browser (resourcemanager.projects.get) on the project',
    });
  if (!response.ok) throw projectLookupFailed(projectId, `Resource Manager answered ${response.status}`, { httpStatus: 502 });
  const parsed = Project.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw projectLookupFailed(projectId, 'the answer names no projects/NUMBER', { httpStatus: 502 });
  return parsed.data.name.slice('projects/'.length);
}

function projectLookupFailed(
  projectId: string,
  detail: string,
  facts: { httpStatus: number; cause?: unknown; expected?: string },
): LlmDeployError {
  return new LlmDeployError(`could not look up the number of project ${projectId}: ${detail}`, {
    code: 'DEPLOY_PROJECT_LOOKUP_FAILED',
    httpStatus: facts.httpStatus,
    field: 'PROJECT_ID',
    given: projectId,
    ...(facts.expected === undefined ? {} : { expected: facts.expected }),
    cause: facts.cause,
  });
}
