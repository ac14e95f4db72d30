import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SettingProblem } from './config-error.js';
import type { EnvFileEntry } from './env-file.js';
import type { ResolvedSetting } from './load.js';
import { modelName, quantityValue, serviceAccountEmail } from './value-parsers.js';
import { SETTINGS } from './settings-table.js';

/** Every setting, typed and resolved (see the README table for meanings). Frozen. */
export interface Settings {
  readonly gpuCountPerModel: number | undefined;
  readonly modelSourcePath: string | undefined;
  readonly existingClusterId: string | undefined;
  readonly ksaName: string;
  readonly gcpServiceAccount: string | undefined;
  readonly modelName: string | undefined;
  readonly inferencingImageUri: string;
  readonly inferencingImageTag: string;
  readonly tritonImage: string;
  readonly useFasterTransformer: boolean;
  readonly convertedModelUploadPath: string | undefined;
  readonly podMemoryLimit: string;
  readonly deployTarget: 'local' | 'gke';
  readonly projectId: string | undefined;
  readonly zone: string | undefined;
  readonly region: string | undefined;
  readonly namePrefix: string;
  readonly acceleratorType: string;
  readonly vmType: string;
  readonly gpuCount: number;
  readonly gkeNodePoolCount: number;
  readonly gkeNodeCountPerNodePool: number;
  readonly gkeVersion: string;
  readonly replicas: number;
  readonly autoscaleMaxReplicas: number;
  readonly autoscaleTargetCpuPercent: number;
  readonly pdbMinAvailable: number;
  readonly host: string;
  /** --port > AIP_HTTP_PORT > PORT > 5000 (5001 for the local deploy target). */
  readonly port: number;
  /** The model `serve` loads: --model > AIP_STORAGE_URI > MODEL_SOURCE_PATH. */
  readonly modelSource: string | undefined;
  readonly healthRoute: string | undefined;
  readonly predictRoute: string | undefined;
  readonly apiKey: string | undefined;
  readonly apiKeyFile: string | undefined;
  readonly backend: 'native' | 'triton';
  readonly tritonUrl: string;
  readonly logLevel: string;
  readonly openAiAnyModel: boolean;
  readonly drainTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxInstances: number;
  readonly maxInputTokens: number;
  readonly inputTruncation: 'reject' | 'truncate';
  readonly maxNewTokensCap: number;
  readonly maxQueue: number;
  readonly maxConcurrentRequests: number;
  readonly requestTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxBatchSize: number;
  readonly engineThreads: number;
  readonly quantize: 'none' | 'int8';
  readonly cacheDir: string;
  readonly stateDir: string;
  readonly storageEmulatorHost: string | undefined;
}

interface BuildContext {
  readonly mode: 'deployment' | 'runtime';
  /** Keys already reported as invalid (not reported again as missing). */
  readonly invalidKeys: ReadonlySet<string>;
  readonly fileName: string | undefined;
  readonly fileEntries: ReadonlyMap<string, EnvFileEntry> | undefined;
}

/** Derived values, cross-field rules and the typed object, from individually valid settings. */
export function buildSettings(
  resolved: Map<string, ResolvedSetting>,
  context: BuildContext,
): { settings: Settings; sources: ReadonlyMap<string, ResolvedSetting>; problems: SettingProblem[]; notes: string[] } {
  const problems: SettingProblem[] = [];
  const notes: string[] = [];
  const str = (key: string): string | undefined => {
    const value = resolved.get(key)?.value;
    return typeof value === 'string' ? value : undefined;
  };
  const num = (key: string): number | undefined => {
    const value = resolved.get(key)?.value;
    return typeof value === 'number' ? value : undefined;
  };
  const derive = (key: string, value: unknown, rule: string): void => {
    resolved.set(key, { key, value, raw: String(value), source: { kind: 'derived', rule } });
  };
  const missing = (key: string, expected: string, message: string): void => {
    const entry = context.fileEntries?.get(key);
    problems.push({
      key,
      ...(context.fileName === undefined ? {} : { file: context.fileName }),
      ...(entry === undefined ? {} : { line: entry.line, given: entry.value }),
      expected,
      message,
    });
  };

  if (context.mode === 'deployment') {
    for (const definition of SETTINGS) {
      if (definition.requiredForDeployment && !resolved.has(definition.key) && !context.invalidKeys.has(definition.key)) {
        missing(definition.key, definition.parser.expected, 'required setting is missing');
      }
    }
  }
  if (
    resolved.get('USE_FASTER_TRANSFORMER')?.value === true &&
    !resolved.has('CONVERTED_MODEL_UPLOAD_PATH') &&
    !context.invalidKeys.has('CONVERTED_MODEL_UPLOAD_PATH')
  ) {
    missing(
      'CONVERTED_MODEL_UPLOAD_PATH',
      'gs://bucket/path or a local path where the converted model is written',
      'required when USE_FASTER_TRANSFORMER is true',
    );
  }
  deriveModelName(str('MODEL_SOURCE_PATH'), resolved, problems, derive);
  const zone = str('ZONE');
  if (!resolved.has('REGION') && zone !== undefined) derive('REGION', zone.replace(/-[a-z]$/, ''), 'ZONE without its last "-x" part');
  if (!resolved.has('DEPLOY_TARGET')) {
    const cloud = resolved.has('PROJECT_ID') || resolved.has('EXISTING_CLUSTER_ID');
    derive('DEPLOY_TARGET', cloud ? 'gke' : 'local', 'gke when PROJECT_ID or EXISTING_CLUSTER_ID is set, else local');
  }
  const projectId = str('PROJECT_ID');
  if (!resolved.has('GCP_SERVICE_ACCOUNT') && projectId !== undefined) {
    deriveServiceAccount(`${str('KSA_NAME')}@${projectId}.iam.gserviceaccount.com`, problems, derive);
  }
  checkFasterTransformerMemory(resolved, problems);
  const target = str('DEPLOY_TARGET') === 'gke' ? 'gke' : 'local';
  if (context.mode === 'deployment' && target === 'local' && resolved.has('GPU_COUNT_PER_MODEL')) {
    notes.push(
      `note: GPU_COUNT_PER_MODEL=${num('GPU_COUNT_PER_MODEL')} is ignored on the local target (the engine uses this machine's CPU or GPU)`,
    );
  }
  if (target === 'gke' && context.mode === 'deployment' && !resolved.has('PROJECT_ID') && !context.invalidKeys.has('PROJECT_ID')) {
    missing('PROJECT_ID', 'a GCP project id', 'required for the gke target');
  }
  const portSetting = resolved.get('AIP_HTTP_PORT') ?? resolved.get('PORT');
  if (portSetting === undefined) {
    const local = context.mode === 'deployment' && target === 'local';
    derive('PORT', local ? 5001 : 5000, local ? 'default port of the local deploy target' : 'default port');
  } else if (portSetting.key === 'AIP_HTTP_PORT') {
    resolved.set('PORT', { ...portSetting, key: 'PORT' });
  }
  const modelSource = resolved.get('AIP_STORAGE_URI') ?? resolved.get('MODEL_SOURCE_PATH');
  if (modelSource !== undefined) resolved.set('MODEL_SOURCE', { ...modelSource, key: 'MODEL_SOURCE' });

  const settings: Settings = Object.freeze({
    gpuCountPerModel: num('GPU_COUNT_PER_MODEL'),
    modelSourcePath: str('MODEL_SOURCE_PATH'),
    existingClusterId: str('EXISTING_CLUSTER_ID'),
    ksaName: str('KSA_NAME') ?? 'aiinfra-gke-sa',
    gcpServiceAccount: str('GCP_SERVICE_ACCOUNT'),
    modelName: str('MODEL_NAME'),
    inferencingImageUri: str('INFERENCING_IMAGE_URI') ?? '',
    inferencingImageTag: str('INFERENCING_IMAGE_TAG') ?? '',
    tritonImage: str('TRITON_IMAGE') ?? '',
    useFasterTransformer: resolved.get('USE_FASTER_TRANSFORMER')?.value === true,
    convertedModelUploadPath: str('CONVERTED_MODEL_UPLOAD_PATH'),
    podMemoryLimit: str('POD_MEMORY_LIMIT') ?? '16Gi',
    deployTarget: target,
    projectId,
    zone,
    region: str('REGION'),
    namePrefix: str('NAME_PREFIX') ?? 'llm',
    acceleratorType: str('ACCELERATOR_TYPE') ?? '',
    vmType: str('VM_TYPE') ?? '',
    gpuCount: num('GPU_COUNT') ?? 1,
    gkeNodePoolCount: num('GKE_NODE_POOL_COUNT') ?? 1,
    gkeNodeCountPerNodePool: num('GKE_NODE_COUNT_PER_NODE_POOL') ?? 1,
    gkeVersion: str('GKE_VERSION') ?? 'latest',
    replicas: num('REPLICAS') ?? 1,
    autoscaleMaxReplicas: num('AUTOSCALE_MAX_REPLICAS') ?? 0,
    autoscaleTargetCpuPercent: num('AUTOSCALE_TARGET_CPU_PERCENT') ?? 70,
    pdbMinAvailable: num('PDB_MIN_AVAILABLE') ?? 0,
    host: str('HOST') ?? '0.0.0.0',
    port: num('PORT') ?? 5000,
    modelSource: str('MODEL_SOURCE'),
    healthRoute: str('AIP_HEALTH_ROUTE'),
    predictRoute: str('AIP_PREDICT_ROUTE'),
    apiKey: str('API_KEY'),
    apiKeyFile: str('API_KEY_FILE'),
    backend: str('BACKEND') === 'triton' ? 'triton' : 'native',
    tritonUrl: str('TRITON_URL') ?? 'http://127.0.0.1:8000',
    logLevel: str('LOG_LEVEL') ?? 'info',
    openAiAnyModel: resolved.get('OPENAI_ANY_MODEL')?.value === true,
    drainTimeoutMs: num('DRAIN_TIMEOUT_MS') ?? 25000,
    maxBodyBytes: num('MAX_BODY_BYTES') ?? 1572864,
    maxInstances: num('MAX_INSTANCES') ?? 64,
    maxInputTokens: num('MAX_INPUT_TOKENS') ?? 512,
    inputTruncation: str('INPUT_TRUNCATION') === 'truncate' ? 'truncate' : 'reject',
    maxNewTokensCap: num('MAX_NEW_TOKENS_CAP') ?? 512,
    maxQueue: num('MAX_QUEUE') ?? 256,
    maxConcurrentRequests: num('MAX_CONCURRENT_REQUESTS') ?? 128,
    requestTimeoutMs: num('REQUEST_TIMEOUT_MS') ?? 120000,
    bodyTimeoutMs: num('BODY_TIMEOUT_MS') ?? 30000,
    headersTimeoutMs: num('HEADERS_TIMEOUT_MS') ?? 10000,
    maxConnections: num('MAX_CONNECTIONS') ?? 256,
    maxBatchSize: num('MAX_BATCH_SIZE') ?? 32,
    engineThreads: num('ENGINE_THREADS') ?? 0,
    quantize: str('QUANTIZE') === 'int8' ? 'int8' : 'none',
    cacheDir: expandHome(str('LLM_DEPLOY_CACHE') ?? '~/.cache/llm-deploy'),
    stateDir: expandHome(str('LLM_DEPLOY_STATE') ?? '~/.local/state/llm-deploy'),
    storageEmulatorHost: str('STORAGE_EMULATOR_HOST'),
  });
  return { settings, sources: resolved, problems, notes };
}

function deriveServiceAccount(
  email: string,
  problems: SettingProblem[],
  derive: (key: string, value: unknown, rule: string) => void,
): void {
  const parsed = serviceAccountEmail.schema.safeParse(email);
  if (parsed.success) {
    derive('GCP_SERVICE_ACCOUNT', email, 'KSA_NAME@PROJECT_ID.iam.gserviceaccount.com');
    return;
  }
  problems.push({
    key: 'GCP_SERVICE_ACCOUNT',
    given: email,
    expected: serviceAccountEmail.expected,
    message: `derived from KSA_NAME@PROJECT_ID, ${parsed.error.issues[0]?.message ?? 'not valid'}; set GCP_SERVICE_ACCOUNT`,
  });
}

/** Bytes the server container requests in FasterTransformer mode (deploy/manifests); a limit below it is refused by Kubernetes. */
const FASTER_TRANSFORMER_SERVER_REQUEST_BYTES = 2 ** 30;

function checkFasterTransformerMemory(resolved: Map<string, ResolvedSetting>, problems: SettingProblem[]): void {
  const memory = resolved.get('POD_MEMORY_LIMIT');
  if (resolved.get('USE_FASTER_TRANSFORMER')?.value !== true || memory === undefined) return;
  if ((quantityValue(memory.raw) ?? 0) >= FASTER_TRANSFORMER_SERVER_REQUEST_BYTES) return;
  problems.push({
    key: 'POD_MEMORY_LIMIT',
    ...(memory.source.kind === 'file' ? { file: memory.source.file, line: memory.source.line } : {}),
    given: memory.raw,
    expected: 'at least 1Gi when USE_FASTER_TRANSFORMER is true',
    message: 'below the 1Gi the server container requests next to Triton (a request above its limit is rejected)',
  });
}

function deriveModelName(
  source: string | undefined,
  resolved: Map<string, ResolvedSetting>,
  problems: SettingProblem[],
  derive: (key: string, value: unknown, rule: string) => void,
): void {
  if (resolved.has('MODEL_NAME') || source === undefined) return;
  const label = modelNameFromSource(source);
  if (label === undefined) {
    problems.push({
      key: 'MODEL_NAME',
      given: source,
      expected: modelName.expected,
      message: `cannot derive a name from MODEL_SOURCE_PATH; set MODEL_NAME`,
    });
    return;
  }
  derive('MODEL_NAME', label, 'last segment of MODEL_SOURCE_PATH, made a DNS-1035 label');
}

/** "gs://b/models/Flan_T5-Base/" -> "flan-t5-base", "7b" -> "model-7b"; undefined when nothing usable is left. */
export function modelNameFromSource(source: string): string | undefined {
  const segment = source.replace(/\/+$/, '').split('/').pop() ?? '';
  const cleaned = segment
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '');
  // Service names must start with a letter
  const label = (/^\d/.test(cleaned) ? `model-${cleaned}` : cleaned).slice(0, 55).replace(/-+$/, '');
  return modelName.schema.safeParse(label).success ? label : undefined;
}

/** "~/x" -> "<home>/x". */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
