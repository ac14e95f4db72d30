import type { ManifestOptions } from '../manifests/options.js';
import { renderManifests } from '../manifests/render.js';
import type { KubeApi } from './client.js';
import { applyAll, waitForJob, waitForRollout } from './rollout.js';

/** Options for {@link kubeDeploy}. */
export interface KubeDeployOptions {
  readonly jobTimeoutMs: number;
  readonly rolloutTimeoutMs: number;
  readonly pollMs?: number;
  readonly retryDelayMs?: number;
  /** Runs each named step (the CLI prints progress lines with elapsed time). */
  readonly step: <T>(title: string, work: (note: (message: string) => void) => Promise<T>) => Promise<T>;
}

/** Where the deployment can be reached. */
export interface KubeEndpoints {
  readonly nodeAddresses: readonly string[];
  readonly nodePorts: Readonly<Record<string, number>>;
}

/**
 * The cluster half of `deploy`: ServiceAccount, the conversion Job (waited for; its logs on failure),
 * then Deployment, Service and the optional HPA/PDB with server-side apply, then the rollout wait.
 */
export async function kubeDeploy(api: KubeApi, manifest: ManifestOptions, options: KubeDeployOptions): Promise<KubeEndpoints> {
  const objects = renderManifests(manifest);
  const retry = (note: (message: string) => void) => ({
    onRetry: note,
    ...(options.retryDelayMs === undefined ? {} : { initialDelayMs: options.retryDelayMs }),
  });
  const wait = { ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }) };
  const account = objects.filter((object) => object.kind === 'ServiceAccount');
  await options.step('apply the ServiceAccount', (note) => applyAll(api, account, retry(note)));
  const job = objects.find((object) => object.kind === 'Job');
  if (job !== undefined) {
    await options.step(`run the conversion Job ${job.metadata.name}`, async (note) => {
      await applyAll(api, [job], retry(note));
      await waitForJob(api, job, { timeoutMs: options.jobTimeoutMs, onProgress: note, ...retry(note), ...wait });
    });
  }
  const serving = objects.filter((object) => object.kind !== 'ServiceAccount' && object.kind !== 'Job');
  await options.step(`apply ${serving.map((object) => object.kind).join(', ')}`, (note) => applyAll(api, serving, retry(note)));
  const deployment = serving.find((object) => object.kind === 'Deployment');
  if (deployment !== undefined) {
    await options.step(`wait for the rollout of ${deployment.metadata.name}`, (note) =>
      waitForRollout(api, deployment, {
        timeoutMs: options.rolloutTimeoutMs,
        replicas: manifest.replicas,
        onProgress: note,
        ...retry(note),
        ...wait,
      }),
    );
  }
  return options.step('look up node addresses and NodePorts', async () => ({
    nodeAddresses: await api.nodeAddresses(),
    nodePorts: await api.nodePorts(manifest.namespace, manifest.name),
  }));
}

/** Deletes what kubeDeploy created (reverse order): one line per object, and how many existed. */
export async function kubeTeardown(api: KubeApi, manifest: ManifestOptions): Promise<{ lines: string[]; deleted: number }> {
  const lines: string[] = [];
  let deleted = 0;
  for (const object of renderManifests(manifest).reverse()) {
    const outcome = await api.delete(object);
    if (outcome === 'deleted') deleted += 1;
    lines.push(`${object.kind}/${object.metadata.name}: ${outcome}`);
  }
  return { lines, deleted };
}
