import { conversionArgs } from '../conversion.js';
import { IAM_BINDINGS_ANNOTATION } from '../iam/iam-plan.js';
import { HTTP_PORT, KSERVE_PORT, type ManifestOptions } from './options.js';
import { cacheUser, cacheVolumes, CONTAINER_SECURITY, POD_SECURITY, pullPolicy, UPDATE_STRATEGY } from './pod-hygiene.js';
import type { Container, EnvVar, KubeObject, ObjectMeta, Probe } from './types.js';

/** Seconds the preStop hook waits so load balancers stop sending traffic before the drain starts. */
const PRE_STOP_SECONDS = 5;
/** A slow model download + load may take this long before the startup probe gives up. */
const STARTUP_BUDGET_SECONDS = 30 * 60;
/**
 * How long Triton waits for its own in-flight inferences after SIGTERM (`--exit-timeout-secs`, default 30); by then the
 * server has drained, so little is left. https://github.com/triton-inference-server/server/blob/main/src/command_line_parser.cc
 */
const TRITON_EXIT_SECONDS = 10;
/**
 * Shared memory for NCCL between the tensor-parallel ranks. A container's /dev/shm is 64 MiB unless a Memory emptyDir is
 * mounted there; that volume counts against the container's memory limit.
 * https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
 */
const SHM_VOLUME = { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } } as const;

/** Seconds from the pod's termination until the server has finished draining (its preStop, then DRAIN_TIMEOUT_MS). */
function drainedAfterSeconds(options: ManifestOptions): number {
  return PRE_STOP_SECONDS + Math.ceil(options.drainTimeoutMs / 1000);
}

/** Labels shared by every object of one deployment; the Service selects on them. */
export function labelsFor(options: ManifestOptions): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'llm-deploy',
    'app.kubernetes.io/instance': options.name,
    'app.kubernetes.io/managed-by': 'llm-deploy',
  };
}

/** Labels of the serving pods (the Job's pods carry role=convert, so the Service never selects them). */
export function servingLabelsFor(options: ManifestOptions): Record<string, string> {
  return { ...labelsFor(options), 'llm-deploy/role': 'server' };
}

function meta(options: ManifestOptions, name: string, annotations?: Record<string, string>): ObjectMeta {
  return { name, namespace: options.namespace, labels: labelsFor(options), ...(annotations === undefined ? {} : { annotations }) };
}

/**
 * The ServiceAccount the pods run as: annotated with GCP_SERVICE_ACCOUNT when it acts as one (without it, the
 * bucket grants name the KSA itself and need no annotation), and with the IAM bindings deploy added.
 */
export function serviceAccount(options: ManifestOptions): KubeObject {
  const annotations = {
    ...(options.gcpServiceAccount === undefined ? {} : { 'iam.gke.io/gcp-service-account': options.gcpServiceAccount }),
    ...(options.iamBindingsRecord === undefined ? {} : { [IAM_BINDINGS_ANNOTATION]: options.iamBindingsRecord }),
  };
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(options, options.serviceAccountName, Object.keys(annotations).length === 0 ? undefined : annotations),
  };
}

/** Name of the Secret holding the server's secret settings (the API key). */
export function secretName(options: ManifestOptions): string {
  return `${options.name}-secrets`;
}

/**
 * The Secret with the server's secret settings, one data key per env name, base64 as core/v1 Secret `data` requires;
 * none when no secret setting is set. https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/
 */
export function secret(options: ManifestOptions): KubeObject | undefined {
  const entries = Object.entries(options.server.secrets);
  if (entries.length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(options, secretName(options)),
    type: 'Opaque',
    data: Object.fromEntries(entries.map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
  };
}

/** The Job that converts the checkpoint to the FasterTransformer layout (USE_FASTER_TRANSFORMER). */
export function conversionJob(options: ManifestOptions): KubeObject | undefined {
  if (options.fasterTransformer === undefined) return undefined;
  const cache = cacheUser(options.ephemeralStorage);
  const container: Container = {
    name: 'convert',
    image: options.image,
    imagePullPolicy: pullPolicy(options.image),
    args: conversionArgs({
      modelSource: options.modelSource,
      convertedPath: options.fasterTransformer.convertedPath,
      tensorParallel: options.gpuCount,
    }),
    env: [cache.env],
    volumeMounts: cache.volumeMounts,
    resources: { limits: { memory: options.memoryLimit }, requests: { memory: options.memoryLimit, ...cache.request } },
    securityContext: CONTAINER_SECURITY,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(options, `${options.name}-convert`),
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 3 * 3600,
      ttlSecondsAfterFinished: 24 * 3600,
      template: {
        metadata: { labels: { ...labelsFor(options), 'llm-deploy/role': 'convert' } },
        spec: {
          serviceAccountName: options.serviceAccountName,
          restartPolicy: 'Never',
          securityContext: POD_SECURITY,
          containers: [container],
          volumes: cacheVolumes(options.ephemeralStorage),
        },
      },
    },
  };
}

function probe(path: string, port: number, options: { periodSeconds: number; failureThreshold: number }): Probe {
  return { httpGet: { path, port }, timeoutSeconds: 5, ...options };
}

function serverContainer(options: ManifestOptions): Container {
  const triton = options.fasterTransformer !== undefined;
  const cache = cacheUser(options.ephemeralStorage);
  const env: Record<string, string> = {
    ...options.server.env,
    [cache.env.name]: cache.env.value,
    HOST: '0.0.0.0',
    PORT: String(HTTP_PORT),
    AIP_STORAGE_URI: triton ? (options.fasterTransformer?.convertedPath ?? '') : options.modelSource,
  };
  const fromSecret = Object.keys(options.server.secrets).map((name): EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName(options), key: name } },
  }));
  return {
    name: 'server',
    image: options.image,
    imagePullPolicy: pullPolicy(options.image),
    args: triton ? ['serve', '--backend', 'triton', '--triton-url', `http://127.0.0.1:${KSERVE_PORT}`] : ['serve'],
    env: [...Object.entries(env).map(([name, value]): EnvVar => ({ name, value })), ...fromSecret],
    ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
    volumeMounts: cache.volumeMounts,
    resources: {
      limits: { memory: options.memoryLimit, ...(triton ? {} : { 'nvidia.com/gpu': String(options.gpuCount) }) },
      requests: { memory: triton ? '1Gi' : options.memoryLimit, cpu: '1', ...cache.request },
    },
    securityContext: CONTAINER_SECURITY,
    startupProbe: probe('/health/ready', HTTP_PORT, { periodSeconds: 10, failureThreshold: STARTUP_BUDGET_SECONDS / 10 }),
    livenessProbe: probe('/health', HTTP_PORT, { periodSeconds: 10, failureThreshold: 3 }),
    readinessProbe: probe('/health/ready', HTTP_PORT, { periodSeconds: 5, failureThreshold: 2 }),
    lifecycle: { preStop: { exec: { command: ['sleep', String(PRE_STOP_SECONDS)] } } },
  };
}

function tritonContainer(options: ManifestOptions): Container | undefined {
  if (options.fasterTransformer === undefined) return undefined;
  return {
    name: 'triton',
    image: options.tritonImage,
    imagePullPolicy: pullPolicy(options.tritonImage),
    command: ['tritonserver'],
    args: [
      `--model-repository=${options.fasterTransformer.convertedPath}`,
      `--http-port=${KSERVE_PORT}`,
      '--allow-grpc=false',
      '--log-verbose=0',
      `--exit-timeout-secs=${TRITON_EXIT_SECONDS}`,
    ],
    ports: [{ name: 'kserve', containerPort: KSERVE_PORT, protocol: 'TCP' }],
    ...(options.gpuCount > 1 ? { volumeMounts: [{ name: SHM_VOLUME.name, mountPath: '/dev/shm' }] } : {}),
    resources: {
      limits: { memory: options.memoryLimit, 'nvidia.com/gpu': String(options.gpuCount) },
      requests: { memory: options.memoryLimit, cpu: '2' },
    },
    securityContext: CONTAINER_SECURITY,
    startupProbe: probe('/v2/health/ready', KSERVE_PORT, { periodSeconds: 10, failureThreshold: STARTUP_BUDGET_SECONDS / 10 }),
    livenessProbe: probe('/v2/health/live', KSERVE_PORT, { periodSeconds: 10, failureThreshold: 3 }),
    readinessProbe: probe('/v2/health/ready', KSERVE_PORT, { periodSeconds: 5, failureThreshold: 2 }),
    // the draining server still calls Triton for the requests in flight, so Triton gets SIGTERM only after the drain
    lifecycle: { preStop: { exec: { command: ['sleep', String(drainedAfterSeconds(options))] } } },
  };
}

/** The Deployment: the server (native) or Triton + the server (FasterTransformer mode). */
export function deployment(options: ManifestOptions): KubeObject {
  const triton = tritonContainer(options);
  // the grace period includes the preStop hooks: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
  const graceSeconds = drainedAfterSeconds(options) + (triton === undefined ? 0 : TRITON_EXIT_SECONDS) + 5;
  const volumes = [...cacheVolumes(options.ephemeralStorage), ...(triton !== undefined && options.gpuCount > 1 ? [SHM_VOLUME] : [])];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(options, options.name),
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: servingLabelsFor(options) },
      strategy: UPDATE_STRATEGY,
      template: {
        metadata: { labels: servingLabelsFor(options) },
        spec: {
          serviceAccountName: options.serviceAccountName,
          terminationGracePeriodSeconds: graceSeconds,
          securityContext: POD_SECURITY,
          nodeSelector: { 'cloud.google.com/gke-accelerator': options.acceleratorType },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          containers: triton === undefined ? [serverContainer(options)] : [triton, serverContainer(options)],
          volumes,
        },
      },
    },
  };
}

/** NodePort Service: 5000 the HTTP API, 8000 the raw KServe v2 port (Triton, or the server's own /v2 routes). */
export function service(options: ManifestOptions): KubeObject {
  const kserveTarget = options.fasterTransformer === undefined ? HTTP_PORT : KSERVE_PORT;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(options, options.name),
    spec: {
      type: 'NodePort',
      selector: servingLabelsFor(options),
      ports: [
        { name: 'http', port: HTTP_PORT, targetPort: HTTP_PORT, protocol: 'TCP' },
        { name: 'kserve', port: KSERVE_PORT, targetPort: kserveTarget, protocol: 'TCP' },
      ],
    },
  };
}

/** HorizontalPodAutoscaler, when AUTOSCALE_MAX_REPLICAS exceeds REPLICAS. */
export function autoscaler(options: ManifestOptions): KubeObject | undefined {
  if (options.autoscaleMaxReplicas <= options.replicas) return undefined;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(options, options.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: options.name },
      minReplicas: options.replicas,
      maxReplicas: options.autoscaleMaxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: options.autoscaleTargetCpuPercent } },
        },
      ],
    },
  };
}

/** PodDisruptionBudget, when PDB_MIN_AVAILABLE is above 0. */
export function disruptionBudget(options: ManifestOptions): KubeObject | undefined {
  if (options.pdbMinAvailable <= 0) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(options, options.name),
    spec: { minAvailable: options.pdbMinAvailable, selector: { matchLabels: servingLabelsFor(options) } },
  };
}
