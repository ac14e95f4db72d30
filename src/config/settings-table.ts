// Every setting in one table (name, parser, default, readers, pod, flag, docs); the README tables, serve's flags,
// the option schemas of server and engine and the pods' env are all derived from it.
// Long because every setting is one row here, so adding a setting touches this file and the code that reads it.
import {
  acceleratorType,
  boolean,
  clusterName,
  decimal,
  dnsLabel,
  httpUrl,
  imageName,
  imageReference,
  imageTag,
  integer,
  modelName,
  modelSource,
  oneOf,
  projectId,
  quantity,
  region,
  routePath,
  serviceAccountEmail,
  text,
  uploadTarget,
  zone,
  type ValueParser,
} from './value-parsers.js';

/** The created cluster is NAME_PREFIX + this. */
const CLUSTER_SUFFIX = '-gke';

/** Where a setting is used; the README table is grouped by this. */
export type SettingGroup = 'deployment' | 'provisioning' | 'autoscaling' | 'server' | 'limits' | 'engine' | 'paths';

/** Who reads a setting: `deployment` is the spec commands (deploy, render, status, teardown, config). */
export type SettingReader = 'deployment' | 'serve' | 'tokenize' | 'convert';

/** What runs the model, for serve and the deployment (SERVING_BACKEND). */
export const SERVING_BACKENDS = ['native', 'tensorrt-llm', 'vllm', 'fastertransformer'] as const;
/** Older words SERVING_BACKEND still reads: serve's `--backend triton` is the server side of fastertransformer. */
const SERVING_BACKEND_ALIASES = { triton: 'fastertransformer' } as const;
/** Weight and activation precision of the GPU engines (ENGINE_DTYPE). */
export const ENGINE_DTYPES = ['bfloat16', 'float16', 'auto'] as const;
/** What happens to prompts longer than MAX_INPUT_TOKENS (INPUT_TRUNCATION). */
export const INPUT_TRUNCATIONS = ['reject', 'truncate'] as const;
/** Weight precisions of the native engine (QUANTIZE). */
export const QUANTIZE_MODES = ['none', 'int8'] as const;
/** Where `deploy` runs the model (DEPLOY_TARGET). */
export const DEPLOY_TARGETS = ['local', 'gke'] as const;
/** Node boot disk types GKE accepts (NodeConfig.diskType): https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/NodeConfig */
export const DISK_TYPES = ['pd-balanced', 'pd-standard', 'pd-ssd', 'hyperdisk-balanced'] as const;
/** pino's levels (LOG_LEVEL). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One setting: its env name, how it parses, its default, who reads it, whether pods get it, its flag and its documentation. */
export interface SettingDefinition {
  readonly key: string;
  readonly group: SettingGroup;
  readonly readers: readonly SettingReader[];
  /** Deployed server pods get it: as a plain env value (true) or from a Kubernetes Secret; absent: the manifests decide, or it is local. */
  readonly pod?: true | 'secret';
  /** `serve`'s flag for it in commander syntax (`--max-queue <n>`); it wins over the environment. */
  readonly flag?: string;
  /** The flag's help when it differs from the description (flags that share a precedence chain). */
  readonly flagHelp?: string;
  readonly parser: ValueParser<unknown>;
  /** Raw default, parsed like a given value; absent when there is none or it is derived. */
  readonly defaultValue?: string;
  /** How a derived default is computed (README and `config` output). */
  readonly derivedDefault?: string;
  /** Required by the deployment commands (deploy, render, status, teardown, config). */
  readonly requiredForDeployment?: boolean;
  readonly description: string;
  readonly example: string;
}

/** Every setting llm-deploy reads, in README order. */
export const SETTINGS: readonly SettingDefinition[] = [
  // deployment spec
  {
    key: 'GPU_COUNT_PER_MODEL',
    group: 'deployment',
    readers: ['deployment'],
    parser: integer(1, 64),
    requiredForDeployment: true,
    description:
      'GPUs per model replica: on the container that runs the model, and the tensor-parallel size of the GPU engines and FasterTransformer. Ignored, with a note, on the local target.',
    example: '1',
  },
  {
    key: 'MODEL_SOURCE_PATH',
    group: 'deployment',
    readers: ['deployment', 'serve', 'tokenize'],
    parser: modelSource,
    requiredForDeployment: true,
    description: 'The Hugging Face model directory to serve.',
    example: 'gs://my-bucket/models/flan-t5-base',
  },
  {
    key: 'EXISTING_CLUSTER_ID',
    group: 'deployment',
    readers: ['deployment'],
    parser: clusterName(),
    description: 'Deploy to this existing GKE cluster instead of creating one.',
    example: 'my-gke-cluster',
  },
  {
    key: 'KSA_NAME',
    group: 'deployment',
    readers: ['deployment'],
    parser: dnsLabel,
    defaultValue: 'aiinfra-gke-sa',
    description: 'Kubernetes ServiceAccount the pods run as (Workload Identity).',
    example: 'aiinfra-gke-sa',
  },
  {
    key: 'GCP_SERVICE_ACCOUNT',
    group: 'deployment',
    readers: ['deployment'],
    parser: serviceAccountEmail,
    description:
      'Optional Google service account the pods act as: deploy binds roles/iam.workloadIdentityUser for KSA_NAME on it and grants it the bucket roles. Unset: the bucket roles go to the KSA itself (Workload Identity Federation), no account needed.',
    example: 'llm@my-project.iam.gserviceaccount.com',
  },
  {
    key: 'MODEL_NAME',
    group: 'deployment',
    readers: ['deployment'],
    parser: modelName,
    derivedDefault: 'last segment of MODEL_SOURCE_PATH, made a DNS-1035 label',
    description: 'Name of the Deployment, Service and local instance.',
    example: 'flan-t5-base',
  },
  {
    key: 'INFERENCING_IMAGE_URI',
    group: 'deployment',
    readers: ['deployment'],
    parser: imageName,
    defaultValue: 'ghcr.io/llm-deploy/llm-deploy',
    description: 'Container image that runs the server (and the conversion Job).',
    example: 'us-docker.pkg.dev/my-project/llm/llm-deploy',
  },
  {
    key: 'INFERENCING_IMAGE_TAG',
    group: 'deployment',
    readers: ['deployment'],
    parser: imageTag,
    defaultValue: 'release',
    description: 'Tag of INFERENCING_IMAGE_URI.',
    example: 'release',
  },
  {
    key: 'TRITON_IMAGE',
    group: 'deployment',
    readers: ['deployment'],
    parser: imageReference,
    defaultValue: 'ghcr.io/llm-deploy/triton-fastertransformer:22.12',
    description:
      'Triton image with the FasterTransformer backend (USE_FASTER_TRANSFORMER mode), built from docker/triton-fastertransformer.Dockerfile.',
    example: 'nvcr.io/nvidia/tritonserver:22.12-py3',
  },
  {
    key: 'SERVING_BACKEND',
    group: 'deployment',
    readers: ['deployment', 'serve'],
    flag: '--backend <kind>',
    flagHelp:
      'What runs the model: native (onnxruntime in-process); fastertransformer (alias triton): forward to a Triton server running FasterTransformer at --backend-url; ' +
      "vllm, tensorrt-llm: front that engine's OpenAI-compatible API at --backend-url, the weights stay there (SERVING_BACKEND, older name BACKEND; default native)",
    parser: oneOf(SERVING_BACKENDS, SERVING_BACKEND_ALIASES),
    derivedDefault:
      'serve: native. Deployment: fastertransformer when USE_FASTER_TRANSFORMER=true; native on the local target; on gke the GPU engine for the architecture in config.json (tensorrt-llm when it cannot be read here)',
    description:
      "What runs the model: llm-deploy's own engine (native), or an engine the server fronts at BACKEND_URL: Triton with FasterTransformer (fastertransformer), " +
      'vLLM or TensorRT-LLM (see "Serving backends"). The deployment puts that engine in a container of the pod; `serve --backend` only fronts it. ' +
      'On gke a gs:// or Hub model, whose config.json is not read here, gets tensorrt-llm (T5 and Llama families; set vllm for GPT-2 or Phi). ' +
      '`BACKEND` is read as its older name, with a note.',
    example: 'vllm',
  },
  {
    key: 'TRTLLM_IMAGE',
    group: 'deployment',
    readers: ['deployment'],
    parser: imageReference,
    // a release tag NVIDIA validates with trtllm-serve: https://docs.nvidia.com/ccluster/resources/trtllm
    defaultValue: 'nvcr.io/nvidia/tensorrt-llm/release:1.3.0rc22',
    description: 'TensorRT-LLM image whose `trtllm-serve` runs the model (SERVING_BACKEND=tensorrt-llm).',
    example: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
  },
  {
    key: 'VLLM_IMAGE',
    group: 'deployment',
    readers: ['deployment'],
    parser: imageReference,
    // vLLM's official image, one release pinned: https://hub.docker.com/r/vllm/vllm-openai/tags
    defaultValue: 'vllm/vllm-openai:v0.12.0',
    description: 'vLLM image whose `vllm serve` runs the model (SERVING_BACKEND=vllm).',
    example: 'vllm/vllm-openai:v0.11.0',
  },
  {
    key: 'USE_FASTER_TRANSFORMER',
    group: 'deployment',
    readers: ['deployment'],
    parser: boolean,
    defaultValue: 'false',
    description: 'Convert the model to the FasterTransformer layout and serve it with Triton.',
    example: 'true',
  },
  {
    key: 'CONVERTED_MODEL_UPLOAD_PATH',
    group: 'deployment',
    readers: ['deployment'],
    parser: uploadTarget,
    description: 'Where the converted model is written. Required when USE_FASTER_TRANSFORMER is true.',
    example: 'gs://my-bucket/converted/flan-t5-base',
  },
  {
    key: 'POD_MEMORY_LIMIT',
    group: 'deployment',
    readers: ['deployment'],
    parser: quantity,
    defaultValue: '16Gi',
    description:
      'Memory limit of the model container (and of the conversion Job). With SERVING_BACKEND=native, render warns when it is below what the engine needs for a local checkpoint (1.3x its float32 weights + 1Gi; see "Memory per model size").',
    example: '32Gi',
  },
  {
    key: 'POD_EPHEMERAL_STORAGE',
    group: 'deployment',
    readers: ['deployment'],
    parser: quantity,
    defaultValue: '30Gi',
    description:
      'Node disk each pod requests for the model download: the sizeLimit of its cache emptyDir and its ephemeral-storage request. ' +
      'At least the model plus its tokenizer files (and, for the conversion Job, the converted copy).',
    example: '100Gi',
  },
  {
    key: 'DEPLOY_TARGET',
    group: 'deployment',
    readers: ['deployment'],
    parser: oneOf(DEPLOY_TARGETS),
    derivedDefault: 'local when neither PROJECT_ID nor EXISTING_CLUSTER_ID is set, else gke',
    description: 'Where `deploy` runs the model.',
    example: 'gke',
  },
  // provisioning
  {
    key: 'PROJECT_ID',
    group: 'provisioning',
    readers: ['deployment'],
    parser: projectId,
    description: 'GCP project for the GKE cluster.',
    example: 'my-project',
  },
  {
    key: 'ZONE',
    group: 'provisioning',
    readers: ['deployment'],
    parser: zone,
    description: 'GCP zone of the cluster (REGION is derived from it when not set).',
    example: 'us-central1-a',
  },
  {
    key: 'REGION',
    group: 'provisioning',
    readers: ['deployment'],
    parser: region,
    derivedDefault: 'ZONE without its last "-x" part',
    description: 'GCP region.',
    example: 'us-central1',
  },
  {
    key: 'NAME_PREFIX',
    group: 'provisioning',
    readers: ['deployment'],
    parser: clusterName(CLUSTER_SUFFIX),
    defaultValue: 'llm',
    description: 'The created cluster is named NAME_PREFIX-gke.',
    example: 'team-a',
  },
  {
    key: 'ACCELERATOR_TYPE',
    group: 'provisioning',
    readers: ['deployment'],
    parser: acceleratorType,
    defaultValue: 'nvidia-l4',
    description: 'GPU type of the node pool (also the nodeSelector of the pods).',
    example: 'nvidia-tesla-a100',
  },
  {
    key: 'VM_TYPE',
    group: 'provisioning',
    readers: ['deployment'],
    parser: text('a Compute Engine machine type'),
    defaultValue: 'g2-standard-8',
    description: 'Machine type of the GPU nodes.',
    example: 'a2-highgpu-1g',
  },
  {
    key: 'GPU_COUNT',
    group: 'provisioning',
    readers: ['deployment'],
    parser: integer(1, 16),
    defaultValue: '1',
    description: 'GPUs per node.',
    example: '1',
  },
  {
    key: 'GKE_NODE_POOL_COUNT',
    group: 'provisioning',
    readers: ['deployment'],
    parser: integer(1, 100),
    defaultValue: '1',
    description: 'Number of GPU node pools.',
    example: '1',
  },
  {
    key: 'GKE_NODE_COUNT_PER_NODE_POOL',
    group: 'provisioning',
    readers: ['deployment'],
    parser: integer(1, 1000),
    defaultValue: '1',
    description: 'Nodes per GPU node pool.',
    example: '2',
  },
  {
    key: 'DISK_SIZE_GB',
    group: 'provisioning',
    readers: ['deployment'],
    parser: integer(10, 65536),
    defaultValue: '200',
    description: "Boot disk of each GPU node in GB (GKE's 100 GB default will not hold a large model, its conversion and the images).",
    example: '500',
  },
  {
    key: 'DISK_TYPE',
    group: 'provisioning',
    readers: ['deployment'],
    parser: oneOf(DISK_TYPES),
    defaultValue: 'pd-balanced',
    description: 'Boot disk type of the GPU nodes.',
    example: 'pd-ssd',
  },
  {
    key: 'GKE_ENABLE_COMPACT_PLACEMENT',
    group: 'provisioning',
    readers: ['deployment'],
    parser: boolean,
    defaultValue: 'false',
    description:
      'Compact placement for the GPU node pools (lower latency between nodes); only A2, A3, G2, C2, C2D, C3, C3D, C4D, H3, H4D, N2, N2D machines.',
    example: 'true',
  },
  {
    key: 'GKE_VERSION',
    group: 'provisioning',
    readers: ['deployment'],
    parser: text('a GKE version'),
    defaultValue: 'latest',
    description: 'GKE control-plane version for a new cluster.',
    example: '1.29',
  },
  // autoscaling
  {
    key: 'REPLICAS',
    group: 'autoscaling',
    readers: ['deployment'],
    parser: integer(1, 1000),
    defaultValue: '1',
    description: 'Replicas of the Deployment (the HPA minimum when autoscaling).',
    example: '2',
  },
  {
    key: 'AUTOSCALE_MAX_REPLICAS',
    group: 'autoscaling',
    readers: ['deployment'],
    parser: integer(0, 1000),
    defaultValue: '0',
    description: 'When above REPLICAS, adds a HorizontalPodAutoscaler scaling up to this many replicas.',
    example: '4',
  },
  {
    key: 'AUTOSCALE_TARGET_CPU_PERCENT',
    group: 'autoscaling',
    readers: ['deployment'],
    parser: integer(1, 100),
    defaultValue: '70',
    description: 'HPA target CPU utilisation.',
    example: '60',
  },
  {
    key: 'PDB_MIN_AVAILABLE',
    group: 'autoscaling',
    readers: ['deployment'],
    parser: integer(0, 1000),
    defaultValue: '0',
    description: 'When above 0, adds a PodDisruptionBudget with this minAvailable.',
    example: '1',
  },
  // server
  {
    key: 'HOST',
    group: 'server',
    readers: ['serve', 'deployment'],
    flag: '--host <host>',
    flagHelp: 'interface to bind (default: HOST, then 0.0.0.0)',
    parser: text('an interface address'),
    defaultValue: '0.0.0.0',
    description: 'Interface the server listens on (`npm start` passes 127.0.0.1).',
    example: '127.0.0.1',
  },
  {
    key: 'AIP_HTTP_PORT',
    group: 'server',
    readers: ['serve'],
    flag: '--port <port>',
    flagHelp: 'TCP port (default: AIP_HTTP_PORT, PORT, then 5000)',
    parser: integer(0, 65535),
    description: 'Port set by Vertex AI; wins over PORT.',
    example: '8080',
  },
  {
    key: 'PORT',
    group: 'server',
    readers: ['serve', 'deployment'],
    parser: integer(0, 65535),
    defaultValue: '5000',
    derivedDefault: '5001 for the local deploy target',
    description: 'Port the server listens on (0 picks a free port).',
    example: '5000',
  },
  {
    key: 'AIP_STORAGE_URI',
    group: 'server',
    readers: ['serve', 'tokenize'],
    flag: '--model <src>',
    flagHelp: 'model directory, file:// or gs:// URL (default: AIP_STORAGE_URI, MODEL_SOURCE_PATH, then the bundled demo model)',
    parser: modelSource,
    description: 'Model location set by Vertex AI; wins over MODEL_SOURCE_PATH for serve.',
    example: 'gs://vertex-bucket/model',
  },
  {
    key: 'AIP_HEALTH_ROUTE',
    group: 'server',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: routePath,
    description: 'Extra readiness route (Vertex AI).',
    example: '/v1/endpoints/1/deployedModels/2',
  },
  {
    key: 'AIP_PREDICT_ROUTE',
    group: 'server',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: routePath,
    description: 'Extra predict route, same body as /infer (Vertex AI).',
    example: '/v1/endpoints/1/deployedModels/2:predict',
  },
  {
    key: 'API_KEY',
    group: 'server',
    readers: ['serve', 'deployment'],
    pod: 'secret',
    parser: text('a secret string'),
    description: 'When set, API routes require `Authorization: Bearer <key>`.',
    example: 's3cret',
  },
  {
    key: 'API_KEY_FILE',
    group: 'server',
    readers: ['serve', 'deployment'],
    flag: '--api-key-file <file>',
    parser: text('a file path'),
    description: 'Read the API key from this file (e.g. a mounted Secret).',
    example: '/secrets/api-key',
  },
  {
    key: 'TRITON_URL',
    group: 'server',
    readers: ['serve', 'deployment'],
    flag: '--triton-url <url>',
    parser: httpUrl,
    defaultValue: 'http://127.0.0.1:8000',
    description: 'Triton KServe v2 endpoint for SERVING_BACKEND=fastertransformer (BACKEND_URL wins when both are set).',
    example: 'http://127.0.0.1:8000',
  },
  {
    key: 'BACKEND_URL',
    group: 'server',
    readers: ['serve', 'deployment'],
    flag: '--backend-url <url>',
    parser: httpUrl,
    derivedDefault: 'TRITON_URL for fastertransformer; http://127.0.0.1:8000 (the engine container) for vllm and tensorrt-llm',
    description:
      'The engine the server fronts (SERVING_BACKEND): its OpenAI-compatible API (vllm, tensorrt-llm) or Triton (fastertransformer).',
    example: 'http://127.0.0.1:8000',
  },
  {
    key: 'OPENAI_ANY_MODEL',
    group: 'server',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: boolean,
    defaultValue: 'false',
    description: 'OpenAI routes accept any `model` name; otherwise a name other than the served one is 404 `model_not_found`.',
    example: 'true',
  },
  {
    key: 'LOG_LEVEL',
    group: 'server',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--log-level <level>',
    parser: oneOf(LOG_LEVELS),
    defaultValue: 'info',
    description: 'Log level of the JSON logs.',
    example: 'debug',
  },
  {
    key: 'DRAIN_TIMEOUT_MS',
    group: 'server',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--drain-timeout-ms <ms>',
    parser: integer(0, 3_600_000),
    defaultValue: '25000',
    description: 'On SIGTERM, how long in-flight requests may finish (ms).',
    example: '30000',
  },
  // limits
  {
    key: 'MAX_BODY_BYTES',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: integer(1024, 1 << 30),
    defaultValue: '1572864',
    description: 'Largest request body (bytes; 1.5 MB as Vertex AI).',
    example: '4194304',
  },
  {
    key: 'MAX_INSTANCES',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--max-instances <n>',
    parser: integer(1, 4096),
    defaultValue: '64',
    description: 'Most instances (prompts) in one request.',
    example: '16',
  },
  {
    key: 'MAX_INPUT_TOKENS',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--max-input-tokens <n>',
    parser: integer(1, 65536),
    defaultValue: '512',
    description:
      'Longest prompt in tokens. With INPUT_TRUNCATION=reject, a prompt longer than MAX_INPUT_TOKENS times the longest token of the vocabulary (in characters; 16 in T5 vocabularies) is refused before it is tokenized: it cannot fit, unless it is mostly runs that become one token each (unknown characters, spaces).',
    example: '1024',
  },
  {
    key: 'INPUT_TRUNCATION',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--input-truncation <mode>',
    parser: oneOf(INPUT_TRUNCATIONS),
    defaultValue: 'reject',
    description: 'What to do with longer prompts: reject (400) or keep the first MAX_INPUT_TOKENS tokens.',
    example: 'truncate',
  },
  {
    key: 'MAX_NEW_TOKENS_CAP',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--max-new-tokens <n>',
    parser: integer(1, 65536),
    defaultValue: '512',
    description: 'Largest max_new_tokens a request may ask for.',
    example: '256',
  },
  {
    key: 'MAX_QUEUE',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--max-queue <n>',
    parser: integer(1, 1_000_000),
    defaultValue: '256',
    description: 'Requests waiting for a batch slot before new ones get 429/503.',
    example: '1024',
  },
  {
    key: 'MAX_CONCURRENT_REQUESTS',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--max-concurrent-requests <n>',
    parser: integer(1, 1_000_000),
    defaultValue: '128',
    description: 'Requests the server works on at once; beyond it new ones get 429 (TGI/OpenAI routes) or 503 (Vertex/KServe).',
    example: '256',
  },
  {
    key: 'REQUEST_TIMEOUT_MS',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--request-timeout-ms <ms>',
    parser: integer(100, 3_600_000),
    defaultValue: '120000',
    description: 'A request still generating after this long is cancelled with 504 (ms).',
    example: '30000',
  },
  {
    key: 'BODY_TIMEOUT_MS',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: integer(100, 3_600_000),
    defaultValue: '30000',
    description:
      'Time to receive a whole request, headers and body (ms); a slower or stalled upload gets 408 and its connection is closed. Responses, streams included, are not limited by it.',
    example: '60000',
  },
  {
    key: 'HEADERS_TIMEOUT_MS',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: integer(100, 3_600_000),
    defaultValue: '10000',
    description: 'Time to receive the request headers (ms; at most BODY_TIMEOUT_MS); slower clients get 408 and are disconnected.',
    example: '5000',
  },
  {
    key: 'MAX_CONNECTIONS',
    group: 'limits',
    readers: ['serve', 'deployment'],
    pod: true,
    parser: integer(1, 1_000_000),
    defaultValue: '256',
    description:
      'Most open client connections; more are closed as soon as they connect (no HTTP answer), so a flood cannot hold the memory of thousands of bodies.',
    example: '1024',
  },
  // engine
  {
    key: 'MAX_BATCH_SIZE',
    group: 'engine',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--max-batch-size <n>',
    parser: integer(1, 1024),
    defaultValue: '32',
    description: 'Most sequences decoded together (continuous batching).',
    example: '64',
  },
  {
    key: 'ENGINE_THREADS',
    group: 'engine',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--threads <n>',
    parser: integer(0, 256),
    defaultValue: '0',
    description: 'onnxruntime intra-op threads (0 = chosen per graph from measurements).',
    example: '2',
  },
  {
    key: 'QUANTIZE',
    group: 'engine',
    readers: ['serve', 'deployment'],
    pod: true,
    flag: '--quantize <mode>',
    parser: oneOf(QUANTIZE_MODES),
    defaultValue: 'none',
    description: 'Weight quantization of the native engine.',
    example: 'int8',
  },
  {
    key: 'ENGINE_DTYPE',
    group: 'engine',
    readers: ['deployment'],
    parser: oneOf(ENGINE_DTYPES),
    defaultValue: 'bfloat16',
    description:
      "Precision of the GPU engines (vllm --dtype; trtllm-serve dtype). bfloat16 keeps float32 range (T5 overflows in float16); auto: the checkpoint's.",
    example: 'float16',
  },
  {
    key: 'ENGINE_MAX_MODEL_LEN',
    group: 'engine',
    readers: ['deployment'],
    parser: integer(16, 1_048_576),
    defaultValue: '4096',
    description:
      'Most tokens of one request, prompt plus output, in the GPU engines (vllm --max-model-len, trtllm-serve --max_seq_len); bounds their KV cache.',
    example: '8192',
  },
  {
    key: 'ENGINE_GPU_MEMORY_FRACTION',
    group: 'engine',
    readers: ['deployment'],
    parser: decimal(0.05, 0.99),
    defaultValue: '0.9',
    description:
      'GPU memory the engines may take: vllm --gpu-memory-utilization (of the whole GPU), trtllm-serve --kv_cache_free_gpu_memory_fraction (of what the weights leave). MAX_BATCH_SIZE is their --max-num-seqs / --max_batch_size.',
    example: '0.85',
  },
  // paths
  {
    key: 'LLM_DEPLOY_CACHE',
    group: 'paths',
    readers: ['serve', 'convert'],
    parser: text('a directory path'),
    defaultValue: '~/.cache/llm-deploy',
    description: 'Where gs:// and Hugging Face Hub models are downloaded before loading.',
    example: '/var/cache/llm-deploy',
  },
  {
    key: 'LLM_DEPLOY_STATE',
    group: 'paths',
    readers: ['deployment'],
    parser: text('a directory path'),
    defaultValue: '~/.local/state/llm-deploy',
    description: 'State of local deployments (pid, log, settings) under <dir>/<MODEL_NAME>/.',
    example: '/var/lib/llm-deploy',
  },
  {
    key: 'HF_ENDPOINT',
    group: 'paths',
    readers: ['serve', 'convert', 'deployment'],
    pod: true,
    parser: httpUrl,
    // unset: pods get no value and the storage layer uses this default
    derivedDefault: 'https://huggingface.co',
    // huggingface_hub's constants.ENDPOINT: https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables#hfendpoint
    description:
      'Hugging Face Hub that hf:// and org/name sources are downloaded from (a mirror or a private Hub), as huggingface_hub reads it.',
    example: 'https://hf-mirror.example.com',
  },
  {
    key: 'HF_TOKEN',
    group: 'paths',
    readers: ['serve', 'convert', 'deployment'],
    pod: 'secret',
    parser: text('a Hugging Face access token'),
    // https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables#hftoken
    description: 'Sent as `Authorization: Bearer <token>` to the Hub: private and gated repos need it.',
    example: 'hf_xxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    key: 'STORAGE_EMULATOR_HOST',
    group: 'paths',
    readers: ['serve', 'convert', 'deployment'],
    parser: text('host:port or http(s)://host:port, optionally ending in / or /storage/v1'),
    description:
      'Sends every gs:// download and upload (serve, convert, deploy) to this Cloud Storage emulator, without credentials; ' +
      'all accepted forms mean the same endpoint. Unset: real Cloud Storage with Application Default Credentials.',
    example: 'http://127.0.0.1:4443',
  },
];

/** Definitions by key. */
export const SETTINGS_BY_KEY: ReadonlyMap<string, SettingDefinition> = new Map(SETTINGS.map((setting) => [setting.key, setting]));
