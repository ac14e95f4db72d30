import { conversionArgs } from '../conversion.js';
import { IAM_BINDINGS_ANNOTATION } from '../iam/iam-plan.js';
import { ENGINE_PORT, HTTP_PORT, KSERVE_PORT, type ManifestOptions } from './options.js';
import { ENGINE_EXIT_SECONDS, engineContainer, engineVolumes, fetchInitContainer, modelsMount, modelDirectory } from './engine-pod.js';
import {
  cacheUser,
  cacheVolumes,
  CONTAINER_SECURITY,
  drainedAfterSeconds,
  engineSidecarFields,
  POD_SECURITY,
  PRE_STOP_SECONDS,
  probe,
  pullPolicy,
  SHM_VOLUME,
  STARTUP_BUDGET_SECONDS,
  UPDATE_STRATEGY,
} from './pod-hygiene.js';
import type { Container, EnvVar, KubeObject, ObjectMeta } from './types.js';

/**
 * How long Triton waits for its own in-flight inferences after SIGTERM (`--exit-timeout-secs`, default 30); by then the
 * server has drained, so little is left. https://github.com/triton-inference-server/server/blob/main/src/command_line_parser.cc
 */
const TRITON_EXIT_SECONDS = 10;

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

/** Settings the model download reads besides the cache (the Hub's endpoint and token; the Workload Identity pod needs no key). */
const SOURCE_SETTINGS = ['HF_ENDPOINT', 'HF_TOKEN'] as const;

function secretEnv(options: ManifestOptions, name: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName(options), key: name } } };
}

/** The download settings the spec sets, as env entries for the fetch init container (secrets by secretKeyRef only). */
function sourceEnv(options: ManifestOptions): EnvVar[] {
  return SOURCE_SETTINGS.flatMap((name): EnvVar[] => {
    const value = options.server.env[name];
    if (value !== undefined) return [{ name, value }];
    return name in options.server.secrets ? [secretEnv(options, name)] : [];
  });
}

/**
 * The server's command line (`--backend` is SERVING_BACKEND) and model: its own engine, in front of Triton, or in front of
 * a GPU engine on the fetched copy.
 */
function serverRole(options: ManifestOptions): { args: string[]; model: string; fronting: boolean } {
  const serve = (backend: string, url?: string): string[] => [
    'serve',
    '--backend',
    backend,
    ...(url === undefined ? [] : ['--backend-url', url]),
  ];
  if (options.gpuEngine !== undefined) {
    const model = modelDirectory(options);
    return { args: [...serve(options.gpuEngine.kind, `http://127.0.0.1:${ENGINE_PORT}`), '--model', model], model, fronting: true };
  }
  if (options.fasterTransformer !== undefined) {
    const args = serve('fastertransformer', `http://127.0.0.1:${KSERVE_PORT}`);
    return { args, model: options.fasterTransformer.convertedPath, fronting: true };
  }
  return { args: serve('native'), model: options.modelSource, fronting: false };
}

function serverContainer(options: ManifestOptions): Container {
  const role = serverRole(options);
  // in front of a GPU engine the model is already on the pod's models volume: nothing to download
  const cache = options.gpuEngine === undefined ? cacheUser(options.ephemeralStorage) : undefined;
  const env: Record<string, string> = {
    ...options.server.env,
    ...(cache === undefined ? {} : { [cache.env.name]: cache.env.value }),
    HOST: '0.0.0.0',
    PORT: String(HTTP_PORT),
    AIP_STORAGE_URI: role.model,
  };
  const fromSecret = Object.keys(options.server.secrets).map((name) => secretEnv(options, name));
  return {
    name: 'server',
    image: options.image,
    imagePullPolicy: pullPolicy(options.image),
    args: role.args,
    env: [...Object.entries(env).map(([name, value]): EnvVar => ({ name, value })), ...fromSecret],
    ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
    volumeMounts: cache?.volumeMounts ?? [modelsMount({ readOnly: true })],
    resources: {
      limits: { memory: options.memoryLimit, ...(role.fronting ? {} : { 'nvidia.com/gpu': String(options.gpuCount) }) },
      requests: { memory: role.fronting ? '1Gi' : options.memoryLimit, cpu: '1', ...cache?.request },
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
    ...engineSidecarFields(options, { port: KSERVE_PORT, ready: '/v2/health/ready', live: '/v2/health/live' }),
  };
}

/** The engine container next to the server (Triton or a GPU engine), with the seconds it may take to exit after SIGTERM. */
function engineSidecar(options: ManifestOptions): { container: Container; exitSeconds: number } | undefined {
  if (options.gpuEngine !== undefined) return { container: engineContainer(options, options.gpuEngine), exitSeconds: ENGINE_EXIT_SECONDS };
  const triton = tritonContainer(options);
  return triton === undefined ? undefined : { container: triton, exitSeconds: TRITON_EXIT_SECONDS };
}

function podVolumes(options: ManifestOptions): readonly Record<string, unknown>[] {
  if (options.gpuEngine !== undefined) return engineVolumes(options);
  return [
    ...cacheVolumes(options.ephemeralStorage),
    ...(options.fasterTransformer !== undefined && options.gpuCount > 1 ? [SHM_VOLUME] : []),
  ];
}

/** The Deployment: the server (native), Triton + the server (FasterTransformer), or a GPU engine + the server, its model fetched first. */
export function deployment(options: ManifestOptions): KubeObject {
  const engine = engineSidecar(options);
  // the grace period includes the preStop hooks: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
  const graceSeconds = drainedAfterSeconds(options) + (engine?.exitSeconds ?? 0) + 5;
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
          ...(options.gpuEngine === undefined ? {} : { initContainers: [fetchInitContainer(options, sourceEnv(options))] }),
          containers: engine === undefined ? [serverContainer(options)] : [engine.container, serverContainer(options)],
          volumes: podVolumes(options),
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
