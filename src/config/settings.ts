import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SettingProblem } from './config-error.js';
import type { EnvFileEntry } from './env-file.js';
import type { ResolvedSetting } from './load.js';
import { checkGpuFit } from './machine-gpus.js';
import { HUB_SCHEME, hubSource } from './model-source.js';
import { deriveServingBackend, engineSettings, type EngineSettings, type ServingBackendContext } from './serving-backend.js';
import { modelName, PROJECT_ID_MIN_LENGTH, quantityValue } from './value-parsers.js';
import { DEPLOY_TARGETS, DISK_TYPES, INPUT_TRUNCATIONS, LOG_LEVELS, QUANTIZE_MODES, SERVING_BACKENDS, SETTINGS } from './settings-table.js';

/** The settings every command may read, typed and resolved (see the README table for meanings). Frozen. */
export interface RuntimeSettings {
  readonly gpuCountPerModel: number | undefined;
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
  readonly deployTarget: (typeof DEPLOY_TARGETS)[number];
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
  readonly diskSizeGb: number;
  readonly diskType: (typeof DISK_TYPES)[number];
  readonly gkeEnableCompactPlacement: boolean;
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
  /** What runs the model (SERVING_BACKEND): serve defaults to native, a deployment to the engine of its target and model. */
  readonly servingBackend: (typeof SERVING_BACKENDS)[number];
  readonly tritonUrl: string;
  /** BACKEND_URL; absent: TRITON_URL for fastertransformer, the pod's engine port for vllm / tensorrt-llm. */
  readonly backendUrl: string | undefined;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly openAiAnyModel: boolean;
  readonly drainTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxInstances: number;
  readonly maxInputTokens: number;
  readonly inputTruncation: (typeof INPUT_TRUNCATIONS)[number];
  readonly maxNewTokensCap: number;
  readonly maxQueue: number;
  readonly maxConcurrentRequests: number;
  readonly requestTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxBatchSize: number;
  readonly engineThreads: number;
  readonly quantize: (typeof QUANTIZE_MODES)[number];
  readonly cacheDir: string;
  readonly stateDir: string;
  readonly storageEmulatorHost: string | undefined;
  readonly hfEndpoint: string | undefined;
  readonly hfToken: string | undefined;
}

/** The deployment spec (deploy, render, status, teardown, config): its required values are present. Frozen. */
export interface DeploymentSettings extends RuntimeSettings, EngineSettings {
  readonly gpuCountPerModel: number;
  readonly modelName: string;
  readonly modelSource: string;
  readonly podEphemeralStorage: string;
  /** What the deployed server pods get from the spec. */
  readonly pod: PodSettings;
}

/** Settings for the server pods, by env name, as raw text (given or default). */
export interface PodSettings {
  /** Rows marked `pod: true`: plain env values. */
  readonly env: Readonly<Record<string, string>>;
  /** Rows marked `pod: 'secret'`: they travel in a Kubernetes Secret. */
  readonly secrets: Readonly<Record<string, string>>;
}

interface BuildContext {
  readonly mode: 'deployment' | 'runtime';
  /** Keys already reported as invalid (not reported again as missing). */
  readonly invalidKeys: ReadonlySet<string>;
  readonly fileName: string | undefined;
  readonly fileEntries: ReadonlyMap<string, EnvFileEntry> | undefined;
}

/** Derived values and cross-field rules, from individually valid settings (adds the derived values to `resolved`). */
export function deriveSettings(
  resolved: Map<string, ResolvedSetting>,
  context: BuildContext,
): { problems: SettingProblem[]; notes: string[] } {
  const problems: SettingProblem[] = [];
  const notes: string[] = [];
  const str = (key: string): string | undefined => {
    const value = resolved.get(key)?.value;
    return typeof value === 'string' ? value : undefined;
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
  const required = context.mode === 'deployment' ? SETTINGS.filter((definition) => definition.requiredForDeployment) : [];
  for (const { key, parser } of required.filter(({ key }) => !resolved.has(key) && !context.invalidKeys.has(key))) {
    missing(key, parser.expected, 'required setting is missing (give it in the --env-file or the environment)');
  }
  deriveLocation(resolved, derive, context.mode === 'deployment' ? { problems, notes, derive, file: context.fileName } : undefined);
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
  if (context.mode === 'deployment') notes.push(...hubSourceNotes(str('MODEL_SOURCE_PATH')), ...projectIdNotes(str('PROJECT_ID')));
  checkFasterTransformerMemory(resolved, problems);
  const local = str('DEPLOY_TARGET') === 'local';
  const gpus = resolved.get('GPU_COUNT_PER_MODEL');
  if (context.mode === 'deployment' && local && gpus !== undefined) {
    notes.push(
      `note: GPU_COUNT_PER_MODEL=${String(gpus.value)} is ignored on the local target (the engine uses this machine's CPU or GPU)`,
    );
  }
  if (!local && context.mode === 'deployment' && !resolved.has('PROJECT_ID') && !context.invalidKeys.has('PROJECT_ID')) {
    missing('PROJECT_ID', 'a GCP project id', 'required for the gke target');
  }
  if (context.mode === 'deployment') checkGpuFit(resolved, problems, notes);
  deriveServeSources(resolved, context.mode === 'deployment' && local, derive);
  return { problems, notes };
}

/** REGION from ZONE, DEPLOY_TARGET from whether a cloud project or cluster is named; then SERVING_BACKEND (native for serve). */
function deriveLocation(
  resolved: Map<string, ResolvedSetting>,
  derive: (key: string, value: unknown, rule: string) => void,
  backend: ServingBackendContext | undefined,
): void {
  const zone = resolved.get('ZONE')?.value;
  if (!resolved.has('REGION') && typeof zone === 'string') derive('REGION', zone.replace(/-[a-z]$/, ''), 'ZONE without its last "-x" part');
  if (!resolved.has('DEPLOY_TARGET')) {
    const cloud = resolved.has('PROJECT_ID') || resolved.has('EXISTING_CLUSTER_ID');
    derive('DEPLOY_TARGET', cloud ? 'gke' : 'local', 'gke when PROJECT_ID or EXISTING_CLUSTER_ID is set, else local');
  }
  if (backend !== undefined) deriveServingBackend(resolved, backend);
  else if (!resolved.has('SERVING_BACKEND'))
    derive('SERVING_BACKEND', 'native', 'serve runs the native engine unless --backend names another');
}

/** PORT from AIP_HTTP_PORT (5001 on the local deploy target when neither is given), MODEL_SOURCE from AIP_STORAGE_URI or MODEL_SOURCE_PATH. */
function deriveServeSources(
  resolved: Map<string, ResolvedSetting>,
  localDeployment: boolean,
  derive: (key: string, value: unknown, rule: string) => void,
): void {
  const vertexPort = resolved.get('AIP_HTTP_PORT');
  if (vertexPort !== undefined) resolved.set('PORT', { ...vertexPort, key: 'PORT' });
  else if (localDeployment && resolved.get('PORT')?.source.kind === 'default') {
    derive('PORT', 5001, 'default port of the local deploy target');
  }
  const modelSource = resolved.get('AIP_STORAGE_URI') ?? resolved.get('MODEL_SOURCE_PATH');
  if (modelSource !== undefined) resolved.set('MODEL_SOURCE', { ...modelSource, key: 'MODEL_SOURCE' });
}

/** Typed reads of resolved values (see {@link valueReader}). */
export type ValueReader = ReturnType<typeof valueReader>;

/** Typed reads of resolved values; a value the table guarantees (a default, a required key) being absent is an impossible state. */
export function valueReader(resolved: ReadonlyMap<string, ResolvedSetting>) {
  const absent = (key: string): never => {
    throw new Error(`${key} has no value although the settings table guarantees one (assert)`);
  };
  const optionalString = (key: string): string | undefined => {
    const value = resolved.get(key)?.value;
    return typeof value === 'string' ? value : undefined;
  };
  const optionalNumber = (key: string): number | undefined => {
    const value = resolved.get(key)?.value;
    return typeof value === 'number' ? value : undefined;
  };
  return {
    optionalString,
    optionalNumber,
    string: (key: string): string => optionalString(key) ?? absent(key),
    number: (key: string): number => optionalNumber(key) ?? absent(key),
    boolean: (key: string): boolean => {
      const value = resolved.get(key)?.value;
      return typeof value === 'boolean' ? value : absent(key);
    },
    choice: <const T extends readonly string[]>(key: string, values: T): T[number] => {
      const value = optionalString(key);
      return values.find((candidate) => candidate === value) ?? absent(key);
    },
  };
}

/** The GKE cluster and node pool rows (group provisioning). */
function provisioningSettings(value: ValueReader) {
  return {
    projectId: value.optionalString('PROJECT_ID'),
    zone: value.optionalString('ZONE'),
    region: value.optionalString('REGION'),
    namePrefix: value.string('NAME_PREFIX'),
    acceleratorType: value.string('ACCELERATOR_TYPE'),
    vmType: value.string('VM_TYPE'),
    gpuCount: value.number('GPU_COUNT'),
    gkeNodePoolCount: value.number('GKE_NODE_POOL_COUNT'),
    gkeNodeCountPerNodePool: value.number('GKE_NODE_COUNT_PER_NODE_POOL'),
    gkeVersion: value.string('GKE_VERSION'),
    diskSizeGb: value.number('DISK_SIZE_GB'),
    diskType: value.choice('DISK_TYPE', DISK_TYPES),
    gkeEnableCompactPlacement: value.boolean('GKE_ENABLE_COMPACT_PLACEMENT'),
  };
}

/** The typed runtime object; call only when loading found no problems (defaults then guarantee every non-optional value). */
export function runtimeSettings(value: ValueReader): RuntimeSettings {
  return Object.freeze({
    gpuCountPerModel: value.optionalNumber('GPU_COUNT_PER_MODEL'),
    existingClusterId: value.optionalString('EXISTING_CLUSTER_ID'),
    ksaName: value.string('KSA_NAME'),
    gcpServiceAccount: value.optionalString('GCP_SERVICE_ACCOUNT'),
    modelName: value.optionalString('MODEL_NAME'),
    inferencingImageUri: value.string('INFERENCING_IMAGE_URI'),
    inferencingImageTag: value.string('INFERENCING_IMAGE_TAG'),
    tritonImage: value.string('TRITON_IMAGE'),
    useFasterTransformer: value.boolean('USE_FASTER_TRANSFORMER'),
    convertedModelUploadPath: value.optionalString('CONVERTED_MODEL_UPLOAD_PATH'),
    podMemoryLimit: value.string('POD_MEMORY_LIMIT'),
    deployTarget: value.choice('DEPLOY_TARGET', DEPLOY_TARGETS),
    ...provisioningSettings(value),
    replicas: value.number('REPLICAS'),
    autoscaleMaxReplicas: value.number('AUTOSCALE_MAX_REPLICAS'),
    autoscaleTargetCpuPercent: value.number('AUTOSCALE_TARGET_CPU_PERCENT'),
    pdbMinAvailable: value.number('PDB_MIN_AVAILABLE'),
    host: value.string('HOST'),
    port: value.number('PORT'),
    modelSource: value.optionalString('MODEL_SOURCE'),
    healthRoute: value.optionalString('AIP_HEALTH_ROUTE'),
    predictRoute: value.optionalString('AIP_PREDICT_ROUTE'),
    apiKey: value.optionalString('API_KEY'),
    apiKeyFile: value.optionalString('API_KEY_FILE'),
    servingBackend: value.choice('SERVING_BACKEND', SERVING_BACKENDS),
    tritonUrl: value.string('TRITON_URL'),
    backendUrl: value.optionalString('BACKEND_URL'),
    logLevel: value.choice('LOG_LEVEL', LOG_LEVELS),
    openAiAnyModel: value.boolean('OPENAI_ANY_MODEL'),
    drainTimeoutMs: value.number('DRAIN_TIMEOUT_MS'),
    maxBodyBytes: value.number('MAX_BODY_BYTES'),
    maxInstances: value.number('MAX_INSTANCES'),
    maxInputTokens: value.number('MAX_INPUT_TOKENS'),
    inputTruncation: value.choice('INPUT_TRUNCATION', INPUT_TRUNCATIONS),
    maxNewTokensCap: value.number('MAX_NEW_TOKENS_CAP'),
    maxQueue: value.number('MAX_QUEUE'),
    maxConcurrentRequests: value.number('MAX_CONCURRENT_REQUESTS'),
    requestTimeoutMs: value.number('REQUEST_TIMEOUT_MS'),
    bodyTimeoutMs: value.number('BODY_TIMEOUT_MS'),
    headersTimeoutMs: value.number('HEADERS_TIMEOUT_MS'),
    maxConnections: value.number('MAX_CONNECTIONS'),
    maxBatchSize: value.number('MAX_BATCH_SIZE'),
    engineThreads: value.number('ENGINE_THREADS'),
    quantize: value.choice('QUANTIZE', QUANTIZE_MODES),
    cacheDir: expandHome(value.string('LLM_DEPLOY_CACHE')),
    stateDir: expandHome(value.string('LLM_DEPLOY_STATE')),
    storageEmulatorHost: value.optionalString('STORAGE_EMULATOR_HOST'),
    hfEndpoint: value.optionalString('HF_ENDPOINT'),
    hfToken: value.optionalString('HF_TOKEN'),
  });
}

/** The typed deployment spec; call only when loading in deployment mode found no problems (so the required keys are there). */
export function deploymentSettings(resolved: ReadonlyMap<string, ResolvedSetting>): DeploymentSettings {
  const value = valueReader(resolved);
  const pod = (delivery: true | 'secret'): Record<string, string> =>
    Object.fromEntries(
      SETTINGS.flatMap((definition) => {
        const setting = resolved.get(definition.key);
        return definition.pod === delivery && setting !== undefined ? [[definition.key, setting.raw]] : [];
      }),
    );
  return Object.freeze({
    ...runtimeSettings(value),
    gpuCountPerModel: value.number('GPU_COUNT_PER_MODEL'),
    modelName: value.string('MODEL_NAME'),
    modelSource: value.string('MODEL_SOURCE'),
    podEphemeralStorage: value.string('POD_EPHEMERAL_STORAGE'),
    ...engineSettings(value),
    pod: Object.freeze({ env: Object.freeze(pod(true)), secrets: Object.freeze(pod('secret')) }),
  });
}

/** Bytes the server container requests next to an engine container (deploy/manifests); a limit below it is refused by Kubernetes. */
const FRONT_SERVER_REQUEST_BYTES = 2 ** 30;

function checkFasterTransformerMemory(resolved: Map<string, ResolvedSetting>, problems: SettingProblem[]): void {
  const memory = resolved.get('POD_MEMORY_LIMIT');
  const backend = resolved.get('SERVING_BACKEND')?.value;
  if (backend === undefined || backend === 'native' || memory === undefined) return;
  if ((quantityValue(memory.raw) ?? 0) >= FRONT_SERVER_REQUEST_BYTES) return;
  problems.push({
    key: 'POD_MEMORY_LIMIT',
    ...(memory.source.kind === 'file' ? { file: memory.source.file, line: memory.source.line } : {}),
    given: memory.raw,
    expected: `at least 1Gi with SERVING_BACKEND=${String(backend)}`,
    message: 'below the 1Gi the server container requests next to the engine container (a request above its limit is rejected)',
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
  // hf://org/name@refs/pr/1 is named after the repo, not the revision
  const path = source.startsWith(HUB_SCHEME) ? source.replace(/@.*$/, '') : source;
  const segment = path.replace(/\/+$/, '').split('/').pop() ?? '';
  const cleaned = segment
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '');
  // Service names must start with a letter
  const label = (/^\d/.test(cleaned) ? `model-${cleaned}` : cleaned).slice(0, 55).replace(/-+$/, '');
  return modelName.schema.safeParse(label).success ? label : undefined;
}

/** A PROJECT_ID shorter than any real one: manifests can still be rendered, but deploy will not find the project. */
function projectIdNotes(projectId: string | undefined): string[] {
  if (projectId === undefined || projectId.length >= PROJECT_ID_MIN_LENGTH) return [];
  return [
    `note: PROJECT_ID=${projectId} is shorter than any GCP project id (${PROJECT_ID_MIN_LENGTH} to 30 characters); render goes on, deploy will not find the project`,
  ];
}

/** A bare org/name is ambiguous with a relative path: says which one it was taken as. */
function hubSourceNotes(source: string | undefined): string[] {
  if (source === undefined || source.startsWith(HUB_SCHEME) || hubSource(source) === undefined) return [];
  return [`note: MODEL_SOURCE_PATH=${source} is taken as the Hugging Face Hub repo hf://${source} (no local directory of that name)`];
}

/** "~/x" -> "<home>/x". */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
