// The pod of a GPU engine (TensorRT-LLM or vLLM): an init container fetches the model onto the pod's disk with our image,
// the engine container holds every GPU of the replica and serves the copy over tensor parallelism, and the server
// container (objects.ts) fronts it on 127.0.0.1. The engine reads only local files, so it needs no cloud credentials.
import { ENGINE_PORT, type GpuEngineOptions, type ManifestOptions } from './options.js';
import { CONTAINER_SECURITY, engineSidecarFields, pullPolicy, SHM_VOLUME } from './pod-hygiene.js';
import type { Container, EnvVar } from './types.js';

/** Where the models volume is mounted in every container of an engine pod. */
export const MODELS_MOUNT_PATH = '/models';
const MODELS_VOLUME = 'models';
/**
 * Seconds an engine may take to exit after SIGTERM: both stop their uvicorn/FastAPI server, which finishes open requests
 * first; by then the server has drained, so little is left.
 */
export const ENGINE_EXIT_SECONDS = 15;
/** Where trtllm-serve's LLM API options are written (it has no dtype flag of its own). */
const TRTLLM_OPTIONS_FILE = '/tmp/llm-api-options.yaml';

/** The directory the model is fetched into and the engine and the server load. */
export function modelDirectory(options: ManifestOptions): string {
  return `${MODELS_MOUNT_PATH}/${options.name}`;
}

/** The models volume's mount. */
export function modelsMount(options: { readonly readOnly: boolean }): { name: string; mountPath: string; readOnly?: boolean } {
  return { name: MODELS_VOLUME, mountPath: MODELS_MOUNT_PATH, ...(options.readOnly ? { readOnly: true } : {}) };
}

/** The models emptyDir (sized by POD_EPHEMERAL_STORAGE, so a large download evicts this pod, not its neighbours) and /dev/shm. */
export function engineVolumes(options: ManifestOptions): readonly Record<string, unknown>[] {
  return [{ name: MODELS_VOLUME, emptyDir: { sizeLimit: options.ephemeralStorage } }, SHM_VOLUME];
}

/**
 * `llm-deploy fetch SRC DEST` with our image: the verified, cached download `serve` does, onto the models volume (the cache
 * on the same volume, so fetch hard-links instead of copying). `sourceEnv`: what reaching the source needs (HF_TOKEN...).
 */
export function fetchInitContainer(options: ManifestOptions, sourceEnv: readonly EnvVar[]): Container {
  return {
    name: 'fetch-model',
    image: options.image,
    imagePullPolicy: pullPolicy(options.image),
    args: ['fetch', options.modelSource, modelDirectory(options)],
    env: [{ name: 'LLM_DEPLOY_CACHE', value: `${MODELS_MOUNT_PATH}/.cache` }, ...sourceEnv],
    volumeMounts: [modelsMount({ readOnly: false })],
    // an init container's request counts on its own (the pod's is the larger of it and the app containers' sum):
    // https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers
    resources: {
      limits: { memory: '2Gi' },
      requests: { memory: '1Gi', cpu: '1', 'ephemeral-storage': options.ephemeralStorage },
    },
    securityContext: CONTAINER_SECURITY,
  };
}

/**
 * `vllm serve DIR ...`, flags from https://docs.vllm.ai/en/latest/configuration/engine_args.html (--tensor-parallel-size,
 * --dtype, --max-model-len, --max-num-seqs, --gpu-memory-utilization).
 */
function vllmCommand(model: string, gpus: number, engine: GpuEngineOptions): { command: string[]; args: string[] } {
  return {
    command: ['vllm', 'serve'],
    args: [
      model,
      '--host=0.0.0.0',
      `--port=${ENGINE_PORT}`,
      `--tensor-parallel-size=${gpus}`,
      `--dtype=${engine.dtype}`,
      `--max-model-len=${engine.maxModelLen}`,
      `--max-num-seqs=${engine.maxSequences}`,
      `--gpu-memory-utilization=${engine.gpuMemoryFraction}`,
    ],
  };
}

/**
 * `trtllm-serve DIR --backend pytorch ...` (flags: https://nvidia.github.io/TensorRT-LLM/commands/trtllm-serve.html; the
 * release image starts no server by itself and NVIDIA wraps the command in a shell, as here:
 * https://docs.nvidia.com/ccluster/resources/trtllm). The dtype goes through the `--config` YAML of LLM API options.
 */
function trtllmCommand(model: string, gpus: number, engine: GpuEngineOptions): { command: string[]; args: string[] } {
  const script = `printf 'dtype: %s\\n' "$ENGINE_DTYPE" > ${TRTLLM_OPTIONS_FILE} && exec trtllm-serve "$@" --config ${TRTLLM_OPTIONS_FILE}`;
  return {
    // "$0" is the name the shell gives the script; the array's tail is "$@"
    command: ['/bin/sh', '-c', script, 'trtllm-serve'],
    args: [
      model,
      '--backend',
      'pytorch',
      '--host',
      '0.0.0.0',
      '--port',
      String(ENGINE_PORT),
      '--tp_size',
      String(gpus),
      '--max_batch_size',
      String(engine.maxSequences),
      '--max_seq_len',
      String(engine.maxModelLen),
      '--kv_cache_free_gpu_memory_fraction',
      String(engine.gpuMemoryFraction),
    ],
  };
}

/** The engine container: every GPU of the replica, the fetched model read-only, /dev/shm, probes on its /health. */
export function engineContainer(options: ManifestOptions, engine: GpuEngineOptions): Container {
  const model = modelDirectory(options);
  const start = engine.kind === 'vllm' ? vllmCommand(model, options.gpuCount, engine) : trtllmCommand(model, options.gpuCount, engine);
  return {
    name: engine.kind,
    image: engine.image,
    imagePullPolicy: pullPolicy(engine.image),
    ...start,
    // both images assume root's home; HF_HUB_OFFLINE keeps the engine off the Hub, the model is on local disk
    env: [
      { name: 'HOME', value: '/tmp' },
      { name: 'HF_HUB_OFFLINE', value: '1' },
      { name: 'ENGINE_DTYPE', value: engine.dtype },
    ],
    ports: [{ name: 'engine', containerPort: ENGINE_PORT, protocol: 'TCP' }],
    volumeMounts: [modelsMount({ readOnly: true }), { name: SHM_VOLUME.name, mountPath: '/dev/shm' }],
    // both answer GET /health with 200 once the model is loaded and the engine loop runs
    ...engineSidecarFields(options, { port: ENGINE_PORT, ready: '/health', live: '/health' }),
  };
}
