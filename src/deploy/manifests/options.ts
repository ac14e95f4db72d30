import type { DeploymentSettings, PodSettings } from '../../config/index.js';

/** Everything the manifests depend on, resolved from the settings. */
export interface ManifestOptions {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly gcpServiceAccount: string | undefined;
  /** The IAM bindings deploy added (JSON), kept on the ServiceAccount for teardown; set by deploy, not by render. */
  readonly iamBindingsRecord?: string;
  /** Image reference with tag, e.g. `ghcr.io/llm-deploy/llm-deploy:release`. */
  readonly image: string;
  readonly tritonImage: string;
  readonly modelSource: string;
  readonly fasterTransformer: { readonly convertedPath: string } | undefined;
  /** The GPU engine container fronted by the server (SERVING_BACKEND tensorrt-llm or vllm); undefined otherwise. */
  readonly gpuEngine: GpuEngineOptions | undefined;
  readonly gpuCount: number;
  readonly acceleratorType: string;
  readonly memoryLimit: string;
  /** sizeLimit of the model cache emptyDir and the ephemeral-storage request of the containers that download. */
  readonly ephemeralStorage: string;
  readonly replicas: number;
  readonly autoscaleMaxReplicas: number;
  readonly autoscaleTargetCpuPercent: number;
  readonly pdbMinAvailable: number;
  readonly drainTimeoutMs: number;
  /** Settings of the server container: plain env values, and those it reads from the deployment's Secret (the API key). */
  readonly server: PodSettings;
}

/** A GPU engine container: which engine, its image and the memory settings mapped to its flags. */
export interface GpuEngineOptions {
  readonly kind: 'tensorrt-llm' | 'vllm';
  readonly image: string;
  readonly dtype: 'bfloat16' | 'float16' | 'auto';
  /** Tokens of one request, prompt plus output. */
  readonly maxModelLen: number;
  /** Sequences scheduled together (MAX_BATCH_SIZE). */
  readonly maxSequences: number;
  readonly gpuMemoryFraction: number;
}

/** Ports: the HTTP API and the raw KServe v2 port (DESIGN.md "Service ports"). */
export const HTTP_PORT = 5000;
export const KSERVE_PORT = 8000;
/** Port of a GPU engine's OpenAI-compatible server inside the pod; only the server container calls it (and the probes). */
export const ENGINE_PORT = 8001;

/** Builds manifest options from validated deployment settings. */
export function manifestOptionsFromSettings(settings: DeploymentSettings, namespace = 'default'): ManifestOptions {
  return {
    name: settings.modelName,
    namespace,
    serviceAccountName: settings.ksaName,
    gcpServiceAccount: settings.gcpServiceAccount,
    image: `${settings.inferencingImageUri}:${settings.inferencingImageTag}`,
    tritonImage: settings.tritonImage,
    modelSource: settings.modelSource,
    fasterTransformer:
      settings.useFasterTransformer && settings.convertedModelUploadPath !== undefined
        ? { convertedPath: settings.convertedModelUploadPath }
        : undefined,
    gpuEngine: gpuEngineFromSettings(settings),
    gpuCount: settings.gpuCountPerModel,
    acceleratorType: settings.acceleratorType,
    memoryLimit: settings.podMemoryLimit,
    ephemeralStorage: settings.podEphemeralStorage,
    replicas: settings.replicas,
    autoscaleMaxReplicas: settings.autoscaleMaxReplicas,
    autoscaleTargetCpuPercent: settings.autoscaleTargetCpuPercent,
    pdbMinAvailable: settings.pdbMinAvailable,
    drainTimeoutMs: settings.drainTimeoutMs,
    server: settings.pod,
  };
}

function gpuEngineFromSettings(settings: DeploymentSettings): GpuEngineOptions | undefined {
  const kind = settings.servingBackend;
  if (kind !== 'tensorrt-llm' && kind !== 'vllm') return undefined;
  return {
    kind,
    image: kind === 'vllm' ? settings.vllmImage : settings.trtllmImage,
    dtype: settings.engineDtype,
    maxModelLen: settings.engineMaxModelLen,
    maxSequences: settings.maxBatchSize,
    gpuMemoryFraction: settings.engineGpuMemoryFraction,
  };
}
