import { setTimeout as sleep } from 'node:timers/promises';
import { deployStepFailed, deployTimedOut } from '../errors.js';
import type { KubeObject } from '../manifests/types.js';
import type { KubeApi } from './client.js';
import { withRetries, type RetryOptions } from './retry.js';

/** Options shared by the waits. */
export interface WaitOptions extends RetryOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly onProgress?: (message: string) => void;
}

/** Applies each object (server-side apply), in order, with retries. */
export async function applyAll(api: KubeApi, objects: readonly KubeObject[], options: RetryOptions = {}): Promise<void> {
  for (const object of objects) {
    await withRetries(`apply ${object.kind}/${object.metadata.name}`, () => api.apply(object), options);
  }
}

function count(status: Record<string, unknown> | undefined, key: string): number {
  const value = status?.[key];
  return typeof value === 'number' ? value : 0;
}

/** Waits for a Job to succeed; on failure stops with the last lines of its pods' logs. */
export async function waitForJob(api: KubeApi, job: KubeObject, options: WaitOptions): Promise<void> {
  const namespace = job.metadata.namespace ?? 'default';
  const deadline = Date.now() + options.timeoutMs;
  let lastActive = -1;
  while (Date.now() < deadline) {
    const status = await withRetries(`read Job ${job.metadata.name}`, () => api.readStatus(job), options);
    if (count(status, 'succeeded') > 0) return;
    const conditions = Array.isArray(status?.['conditions']) ? (status['conditions'] as unknown[]) : [];
    const failed = conditions.some(
      (condition) =>
        typeof condition === 'object' &&
        condition !== null &&
        'type' in condition &&
        condition.type === 'Failed' &&
        'status' in condition &&
        condition.status === 'True',
    );
    if (failed) {
      const logs = await jobLogs(api, namespace, job.metadata.name);
      throw deployStepFailed(`Job ${job.metadata.name}`, `the conversion failed.\n${logs}`);
    }
    const active = count(status, 'active');
    if (active !== lastActive)
      options.onProgress?.(`Job ${job.metadata.name}: ${active} active, ${count(status, 'failed')} failed attempt(s)`);
    lastActive = active;
    await sleep(options.pollMs ?? 2000);
  }
  throw deployTimedOut(
    `Job ${job.metadata.name}`,
    `not complete after ${Math.round(options.timeoutMs / 1000)} s\n${await jobLogs(api, namespace, job.metadata.name)}`,
  );
}

async function jobLogs(api: KubeApi, namespace: string, jobName: string): Promise<string> {
  const pods = await api.listPods(namespace, `job-name=${jobName}`);
  const sections = await Promise.all(
    pods.map(async (pod) => {
      const logs = await api.podLogs(namespace, pod.name, 40).catch((error: unknown) => `(logs unavailable: ${String(error)})`);
      return `--- logs of pod ${pod.name} (${pod.phase}) ---\n${logs.trimEnd()}`;
    }),
  );
  return sections.length === 0 ? '(no pods found for the Job)' : sections.join('\n');
}

/** Waits until every replica of the Deployment is updated and ready; on timeout names pod problems and events. */
export async function waitForRollout(
  api: KubeApi,
  deployment: KubeObject,
  options: WaitOptions & { readonly replicas: number },
): Promise<void> {
  const namespace = deployment.metadata.namespace ?? 'default';
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const status = await withRetries(`read Deployment ${deployment.metadata.name}`, () => api.readStatus(deployment), options);
    const ready = count(status, 'readyReplicas');
    const updated = count(status, 'updatedReplicas');
    if (ready >= options.replicas && updated >= options.replicas) return;
    const line = `${ready}/${options.replicas} ready, ${updated}/${options.replicas} updated`;
    if (line !== last) options.onProgress?.(`Deployment ${deployment.metadata.name}: ${line}`);
    last = line;
    await sleep(options.pollMs ?? 2000);
  }
  throw deployTimedOut(`rollout of ${deployment.metadata.name}`, await stallReport(api, namespace, deployment));
}

async function stallReport(api: KubeApi, namespace: string, deployment: KubeObject): Promise<string> {
  const selector = Object.entries(deployment.metadata.labels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const pods = await api.listPods(namespace, selector).catch(() => []);
  const lines = ['pods:'];
  for (const pod of pods) {
    lines.push(`  ${pod.name}: ${pod.phase}${pod.ready ? ', ready' : ''}${pod.problems.length > 0 ? `; ${pod.problems.join('; ')}` : ''}`);
    const events = await api.listEvents(namespace, pod.name).catch(() => []);
    for (const event of events.slice(-5)) lines.push(`    event: ${event}`);
  }
  if (pods.length === 0) lines.push('  (none: check the ReplicaSet events, node capacity and GPU quota)');
  return lines.join('\n');
}
