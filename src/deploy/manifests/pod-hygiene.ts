// What every pod llm-deploy renders shares: how images are pulled, where the model download goes, who the containers
// run as, and how the Deployment rolls.
import type { ManifestOptions } from './options.js';
import type { Container, Probe } from './types.js';

/** Seconds the preStop hook waits so load balancers stop sending traffic before the drain starts. */
export const PRE_STOP_SECONDS = 5;
/** A slow model download + load may take this long before the startup probe gives up. */
export const STARTUP_BUDGET_SECONDS = 30 * 60;

/** Seconds from the pod's termination until the server has finished draining (its preStop, then DRAIN_TIMEOUT_MS). */
export function drainedAfterSeconds(options: ManifestOptions): number {
  return PRE_STOP_SECONDS + Math.ceil(options.drainTimeoutMs / 1000);
}

/** An HTTP GET probe with a 5 s timeout. */
export function probe(path: string, port: number, options: { periodSeconds: number; failureThreshold: number }): Probe {
  return { httpGet: { path, port }, timeoutSeconds: 5, ...options };
}

/**
 * What every engine container next to the server shares: all the replica's GPUs and its memory, probes on its own
 * health routes, and a preStop that holds SIGTERM back until the server has drained (the draining server still calls
 * the engine for the requests in flight).
 */
export function engineSidecarFields(
  options: ManifestOptions,
  health: { readonly port: number; readonly ready: string; readonly live: string },
): Pick<Container, 'resources' | 'securityContext' | 'startupProbe' | 'livenessProbe' | 'readinessProbe' | 'lifecycle'> {
  return {
    resources: {
      limits: { memory: options.memoryLimit, 'nvidia.com/gpu': String(options.gpuCount) },
      requests: { memory: options.memoryLimit, cpu: '2' },
    },
    securityContext: CONTAINER_SECURITY,
    startupProbe: probe(health.ready, health.port, { periodSeconds: 10, failureThreshold: STARTUP_BUDGET_SECONDS / 10 }),
    livenessProbe: probe(health.live, health.port, { periodSeconds: 10, failureThreshold: 3 }),
    readinessProbe: probe(health.ready, health.port, { periodSeconds: 5, failureThreshold: 2 }),
    lifecycle: { preStop: { exec: { command: ['sleep', String(drainedAfterSeconds(options))] } } },
  };
}

/**
 * Shared memory for NCCL between the tensor-parallel ranks. A container's /dev/shm is 64 MiB unless a Memory emptyDir is
 * mounted there; that volume counts against the container's memory limit.
 * https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
 */
export const SHM_VOLUME = { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } } as const;

/** Where the pods' model cache (LLM_DEPLOY_CACHE) is mounted. */
export const CACHE_MOUNT_PATH = '/var/cache/llm-deploy';
const CACHE_VOLUME = 'model-cache';
/** The `node` user and group of our image (Dockerfile `USER node`, uid 1000). */
const POD_USER = 1000;

/**
 * Always for a tag that is moved on purpose (`release`, `latest`) or no tag (which means `latest`), so a rollout picks up a
 * re-pushed image; IfNotPresent for a digest or a fixed version tag. With Always the kubelet only resolves the tag to a
 * digest and reuses cached layers: https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
 */
export function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  const tag = colon === -1 ? 'latest' : lastSegment.slice(colon + 1);
  return tag === 'latest' || tag === 'release' ? 'Always' : 'IfNotPresent';
}

/**
 * Unprivileged: uid/gid 1000, no privilege escalation, no capabilities. Triton gets the same: NVIDIA's image starts as root
 * but serves as any uid when its model repository is readable and its temp dir writable (gs:// repositories are copied to /tmp).
 * https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
 */
export const CONTAINER_SECURITY: NonNullable<Container['securityContext']> = {
  runAsNonRoot: true,
  runAsUser: POD_USER,
  runAsGroup: POD_USER,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

/** Pod-level: RuntimeDefault seccomp, and volumes owned by the pod user's group. */
export const POD_SECURITY = { seccompProfile: { type: 'RuntimeDefault' }, fsGroup: POD_USER } as const;

/** The model cache: an emptyDir on the node's disk with a sizeLimit, so a large download evicts this pod, not its neighbours. */
export function cacheVolumes(sizeLimit: string): readonly Record<string, unknown>[] {
  return [{ name: CACHE_VOLUME, emptyDir: { sizeLimit } }];
}

/** The fields a container that downloads the model gets: the cache mount, LLM_DEPLOY_CACHE pointing at it, its disk request. */
export function cacheUser(sizeLimit: string): {
  readonly volumeMounts: NonNullable<Container['volumeMounts']>;
  readonly env: { readonly name: 'LLM_DEPLOY_CACHE'; readonly value: string };
  readonly request: { readonly 'ephemeral-storage': string };
} {
  return {
    volumeMounts: [{ name: CACHE_VOLUME, mountPath: CACHE_MOUNT_PATH }],
    env: { name: 'LLM_DEPLOY_CACHE', value: CACHE_MOUNT_PATH },
    request: { 'ephemeral-storage': sizeLimit },
  };
}

/**
 * Rollouts without a spare GPU: a surge pod would wait for a GPU that the old pods hold, so an update on a full GPU pool
 * never progressed. maxSurge 0 / maxUnavailable 1 replaces one pod at a time (for one replica this is Recreate: the old
 * pod stops before the new one starts). A PodDisruptionBudget does not limit this; it limits evictions (node drains):
 * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
 */
export const UPDATE_STRATEGY = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } as const;
