import type { Settings } from '../../config/index.js';

/** Everything the manifests depend on, resolved from the settings. */
export interface ManifestOptions {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly gcpServiceAccount: string | undefined;
  /** Image reference with tag, e.g. `ghcr.io/llm-deploy/llm-deploy:release`. */
  readonly image: string;
  readonly tritonImage: string;
  readonly modelSource: string;
  readonly fasterTransformer: { readonly convertedPath: string } | undefined;
  readonly gpuCount: number;
  readonly acceleratorType: string;
  readonly memoryLimit: string;
  readonly replicas: number;
  readonly autoscaleMaxReplicas: number;
  readonly autoscaleTargetCpuPercent: number;
  readonly pdbMinAvailable: number;
  readonly drainTimeoutMs: number;
  /** Settings passed to the server container as environment variables. */
  readonly serverEnv: Readonly<Record<string, string>>;
}

/** Ports: the HTTP API and the raw KServe v2 port (DESIGN.md "Service ports"). */
export const HTTP_PORT = 5000;
export const KSERVE_PORT = 8000;

/** Builds manifest options from validated deployment settings. */
export function manifestOptionsFromSettings(settings: Settings, namespace = 'default'): ManifestOptions {
  const name = settings.modelName ?? 'llm-deploy';
  return {
    name,
    namespace,
    serviceAccountName: settings.ksaName,
    gcpServiceAccount: settings.gcpServiceAccount,
    image: `${settings.inferencingImageUri}:${settings.inferencingImageTag}`,
    tritonImage: settings.tritonImage,
    modelSource: settings.modelSource ?? '',
    fasterTransformer:
      settings.useFasterTransformer && settings.convertedModelUploadPath !== undefined
        ? { convertedPath: settings.convertedModelUploadPath }
        : undefined,
    gpuCount: settings.gpuCountPerModel ?? 1,
    acceleratorType: settings.acceleratorType,
    memoryLimit: settings.podMemoryLimit,
    replicas: settings.replicas,
    autoscaleMaxReplicas: settings.autoscaleMaxReplicas,
    autoscaleTargetCpuPercent: settings.autoscaleTargetCpuPercent,
    pdbMinAvailable: settings.pdbMinAvailable,
    drainTimeoutMs: settings.drainTimeoutMs,
    serverEnv: {
      DRAIN_TIMEOUT_MS: String(settings.drainTimeoutMs),
      MAX_BODY_BYTES: String(settings.maxBodyBytes),
      MAX_INSTANCES: String(settings.maxInstances),
      MAX_INPUT_TOKENS: String(settings.maxInputTokens),
      INPUT_TRUNCATION: settings.inputTruncation,
      MAX_NEW_TOKENS_CAP: String(settings.maxNewTokensCap),
      MAX_QUEUE: String(settings.maxQueue),
      REQUEST_TIMEOUT_MS: String(settings.requestTimeoutMs),
      BODY_TIMEOUT_MS: String(settings.bodyTimeoutMs),
      HEADERS_TIMEOUT_MS: String(settings.headersTimeoutMs),
      MAX_CONNECTIONS: String(settings.maxConnections),
      MAX_BATCH_SIZE: String(settings.maxBatchSize),
      QUANTIZE: settings.quantize,
      LOG_LEVEL: settings.logLevel,
    },
  };
}
