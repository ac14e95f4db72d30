import { LlmDeployError } from '../config/index.js';

/** The local server did not become ready; carries the tail of its log. */
export function localServerFailed(summary: string, options: { logFile: string; logTail: string; cause?: unknown }): LlmDeployError {
  return new LlmDeployError(`${summary}\n--- last lines of ${options.logFile} ---\n${options.logTail}`, {
    code: 'DEPLOY_LOCAL_NOT_READY',
    httpStatus: 500,
    file: options.logFile,
    cause: options.cause,
  });
}

/** A step of the deployment flow failed in the cluster or cloud API. */
export function deployStepFailed(step: string, detail: string, cause?: unknown): LlmDeployError {
  return new LlmDeployError(`${step} failed: ${detail}`, { code: 'DEPLOY_STEP_FAILED', httpStatus: 502, cause });
}

/** A wait (rollout, Job, operation) ran past its deadline. */
export function deployTimedOut(step: string, detail: string): LlmDeployError {
  return new LlmDeployError(`${step} timed out: ${detail}`, { code: 'DEPLOY_TIMEOUT', httpStatus: 504 });
}

/** Credentials or kubeconfig are missing: say what to provide. */
export function credentialsMissing(detail: string): LlmDeployError {
  return new LlmDeployError(detail, {
    code: 'DEPLOY_CREDENTIALS_MISSING',
    httpStatus: 400,
    expected:
      'Application Default Credentials (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS) or a kubeconfig (KUBECONFIG)',
  });
}

/** A setting the gke target needs is missing (e.g. ZONE/REGION). */
export function cloudSettingMissing(field: string, expected: string): LlmDeployError {
  return new LlmDeployError(`the gke target needs ${field}`, { code: 'DEPLOY_SETTING_MISSING', httpStatus: 400, field, expected });
}

/** A cluster name found in more than one location of the project: which one is meant cannot be guessed. */
export function clusterAmbiguous(name: string, locations: readonly string[], projectId: string): LlmDeployError {
  return new LlmDeployError(`GKE cluster ${name} exists in ${locations.join(' and ')} of project ${projectId}`, {
    code: 'DEPLOY_CLUSTER_AMBIGUOUS',
    httpStatus: 400,
    field: 'EXISTING_CLUSTER_ID',
    given: name,
    expected: 'a cluster name that exists in one location of PROJECT_ID (rename or delete the other)',
  });
}

/** GKE_ENABLE_COMPACT_PLACEMENT on a machine family that GKE does not place compactly. */
export function compactPlacementUnsupported(machineType: string, families: readonly string[]): LlmDeployError {
  return new LlmDeployError(`GKE_ENABLE_COMPACT_PLACEMENT: compact placement is not available for ${machineType}`, {
    code: 'DEPLOY_SETTING_INVALID',
    httpStatus: 400,
    field: 'GKE_ENABLE_COMPACT_PLACEMENT',
    given: machineType,
    expected: `false, or a VM_TYPE of the families ${families.join(', ')}`,
  });
}

/** EXISTING_CLUSTER_ID names a cluster that GKE does not know. */
export function clusterNotFound(name: string, location: string, projectId: string): LlmDeployError {
  return new LlmDeployError(`GKE cluster ${name} not found in ${location} of project ${projectId}`, {
    code: 'DEPLOY_CLUSTER_NOT_FOUND',
    httpStatus: 400,
    field: 'EXISTING_CLUSTER_ID',
    given: name,
    expected: 'an existing cluster in ZONE/REGION of PROJECT_ID, or empty to create NAME_PREFIX-gke',
  });
}

/** A destructive step was not confirmed (no --yes, and no matching answer on stdin). */
export function notConfirmed(what: string, expected: string): LlmDeployError {
  return new LlmDeployError(`not confirmed: ${what}; nothing was deleted`, { code: 'DEPLOY_NOT_CONFIRMED', httpStatus: 400, expected });
}

/** What the deploying identity lacks on one resource, and the role that grants it. */
export interface IamShortfall {
  /** `gs://bucket` or a service account e-mail. */
  readonly resource: string;
  readonly missing: readonly string[];
  readonly role: string;
}

/** The deploying identity may not make the grants the pods need: one error naming every role it lacks. */
export function iamDenied(shortfalls: readonly IamShortfall[]): LlmDeployError {
  const lacks = shortfalls.map((shortfall) => `${shortfall.missing.join(', ')} on ${shortfall.resource}`);
  return new LlmDeployError(`not allowed to grant the pods access (nothing was created): lacking ${lacks.join('; ')}`, {
    code: 'DEPLOY_IAM_DENIED',
    httpStatus: 403,
    expected: `${shortfalls.map((shortfall) => `${shortfall.role} on ${shortfall.resource}`).join(', ')} for the deploying identity`,
  });
}

/** GCP_SERVICE_ACCOUNT names an account IAM does not know. */
export function serviceAccountMissing(email: string): LlmDeployError {
  return new LlmDeployError(`Google service account ${email} does not exist`, {
    code: 'DEPLOY_SERVICE_ACCOUNT_MISSING',
    httpStatus: 400,
    field: 'GCP_SERVICE_ACCOUNT',
    given: email,
    expected: 'an existing account (gcloud iam service-accounts create NAME), or no GCP_SERVICE_ACCOUNT for direct grants',
  });
}

/** An IAM call failed for a reason other than the caller's rights (network, server, concurrent change). */
export function iamRequestFailed(what: string, detail: string, cause?: unknown): LlmDeployError {
  return new LlmDeployError(`${what} failed: ${detail}`, { code: 'DEPLOY_IAM_FAILED', httpStatus: 502, cause });
}
