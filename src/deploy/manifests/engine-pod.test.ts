import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { find, get, render, validateAll } from './__fixtures__/manifest-checks.js';

/** A fixture model directory holding only the checkpoint's config.json. */
function model(name: string): string {
  return fileURLToPath(new URL(`../../config/__fixtures__/architectures/${name}`, import.meta.url));
}

/** Two GPUs per replica on a two-GPU node pool, a 50Gi disk request, a 20 s drain. */
const GKE_TWO_GPUS = [
  'GPU_COUNT_PER_MODEL=2',
  'GPU_COUNT=2',
  'PROJECT_ID=my-project',
  'ACCELERATOR_TYPE=nvidia-tesla-a100',
  'VM_TYPE=a2-highgpu-2g',
  'POD_MEMORY_LIMIT=64Gi',
  'POD_EPHEMERAL_STORAGE=50Gi',
  'DRAIN_TIMEOUT_MS=20000',
];

type Json = Record<string, unknown>;

function pod(lines: readonly string[], source: string): { spec: Json; service: Json } {
  const objects = render([...GKE_TWO_GPUS, ...lines], source);
  validateAll(objects);
  assert.deepEqual(
    objects.map((object) => object.kind),
    ['ServiceAccount', 'Deployment', 'Service'],
  );
  return { spec: get(find(objects, 'Deployment'), 'spec.template.spec') as Json, service: find(objects, 'Service') };
}

function container(spec: Json, name: string): Json {
  const found = (get(spec, 'containers') as Json[]).find((candidate) => candidate['name'] === name);
  assert.ok(found !== undefined, `no ${name} container`);
  return found;
}

function gpus(entry: Json): string | undefined {
  return (get(entry, 'resources.limits') as Record<string, string> | undefined)?.['nvidia.com/gpu'];
}

/** The checks both engines share: GPUs on the engine only, the fetch init container, volumes, probes, drain order. */
function assertEnginePod(
  { spec, service }: { spec: Json; service: Json },
  engine: 'vllm' | 'tensorrt-llm',
  model: { source: string; name: string },
): Json {
  const { source, name } = model;
  const models = `/models/${name}`;
  assert.deepEqual(
    (get(spec, 'containers') as Json[]).map((entry) => entry['name']),
    [engine, 'server'],
  );
  const engineContainer = container(spec, engine);
  const server = container(spec, 'server');
  const [init, ...moreInit] = get(spec, 'initContainers') as Json[];
  assert.ok(init !== undefined && moreInit.length === 0);

  assert.equal(gpus(engineContainer), '2');
  assert.equal(gpus(server), undefined);
  assert.equal(gpus(init), undefined);

  assert.equal(init['image'], 'ghcr.io/llm-deploy/llm-deploy:release');
  assert.deepEqual(init['args'], ['fetch', source, models]);
  assert.equal(get(init, 'resources.requests.ephemeral-storage'), '50Gi');
  assert.deepEqual(init['volumeMounts'], [{ name: 'models', mountPath: '/models' }]);
  const volumes = get(spec, 'volumes') as Json[];
  assert.deepEqual(volumes, [
    { name: 'models', emptyDir: { sizeLimit: '50Gi' } },
    { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } },
  ]);
  assert.deepEqual(engineContainer['volumeMounts'], [
    { name: 'models', mountPath: '/models', readOnly: true },
    { name: 'dshm', mountPath: '/dev/shm' },
  ]);
  // the engine reads only the fetched copy: no cloud credentials or Hub access of its own
  assert.ok((engineContainer['env'] as Json[]).some((entry) => entry['name'] === 'HF_HUB_OFFLINE' && entry['value'] === '1'));

  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    assert.deepEqual(get(engineContainer, `${probe}.httpGet`), { path: '/health', port: 8001 }, probe);
  }
  assert.ok(
    Number(get(engineContainer, 'startupProbe.failureThreshold')) * Number(get(engineContainer, 'startupProbe.periodSeconds')) >= 1200,
  );
  assert.deepEqual(get(server, 'readinessProbe.httpGet'), { path: '/health/ready', port: 5000 });

  assert.deepEqual(server['args'], ['serve', '--backend', engine, '--backend-url', 'http://127.0.0.1:8001', '--model', models]);
  assert.deepEqual(server['volumeMounts'], [{ name: 'models', mountPath: '/models', readOnly: true }]);
  assert.equal(get(server, 'resources.requests.memory'), '1Gi');

  // the server's preStop (5 s) and drain (20 s) end before the engine is told to stop; the grace period covers the engine's exit too
  assert.deepEqual(get(server, 'lifecycle.preStop.exec.command'), ['sleep', '5']);
  assert.deepEqual(get(engineContainer, 'lifecycle.preStop.exec.command'), ['sleep', '25']);
  assert.ok(Number(get(spec, 'terminationGracePeriodSeconds')) >= 25 + 15);

  const ports = get(service, 'spec.ports') as { port: number; targetPort: number }[];
  assert.deepEqual(
    ports.map((port) => [port.port, port.targetPort]),
    [
      [5000, 5000],
      [8000, 5000],
    ],
  );
  return engineContainer;
}

describe('the GPU engine pods', () => {
  it('vLLM for a decoder-only model: `vllm serve` over both GPUs, bf16, the memory settings as its flags', () => {
    const source = model('llama-gqa');
    for (const lines of [[], ['SERVING_BACKEND=vllm']]) {
      const vllm = assertEnginePod(pod(lines, source), 'vllm', { source, name: 'llama-gqa' });
      assert.equal(vllm['image'], 'vllm/vllm-openai:v0.12.0');
      assert.deepEqual(vllm['command'], ['vllm', 'serve']);
      assert.deepEqual(vllm['args'], [
        '/models/llama-gqa',
        '--host=0.0.0.0',
        '--port=8001',
        '--tensor-parallel-size=2',
        '--dtype=bfloat16',
        '--max-model-len=4096',
        '--max-num-seqs=32',
        '--gpu-memory-utilization=0.9',
      ]);
    }
  });

  it('vLLM takes ENGINE_DTYPE, ENGINE_MAX_MODEL_LEN, MAX_BATCH_SIZE, ENGINE_GPU_MEMORY_FRACTION and VLLM_IMAGE', () => {
    const lines = [
      'ENGINE_DTYPE=float16',
      'ENGINE_MAX_MODEL_LEN=8192',
      'MAX_BATCH_SIZE=64',
      'ENGINE_GPU_MEMORY_FRACTION=0.85',
      'VLLM_IMAGE=registry.example.com/vllm@sha256:' + 'b'.repeat(64),
    ];
    const vllm = container(pod(lines, model('gpt2-tiny')).spec, 'vllm');
    assert.equal(vllm['image'], `registry.example.com/vllm@sha256:${'b'.repeat(64)}`);
    for (const flag of ['--dtype=float16', '--max-model-len=8192', '--max-num-seqs=64', '--gpu-memory-utilization=0.85']) {
      assert.ok((vllm['args'] as string[]).includes(flag), flag);
    }
  });

  it('TensorRT-LLM for a T5 model: `trtllm-serve --backend pytorch --tp_size 2`, bf16 through its options file', () => {
    const source = model('t5-tiny-relu');
    for (const lines of [[], ['SERVING_BACKEND=tensorrt-llm']]) {
      const trtllm = assertEnginePod(pod(lines, source), 'tensorrt-llm', { source, name: 't5-tiny-relu' });
      assert.equal(trtllm['image'], 'nvcr.io/nvidia/tensorrt-llm/release:1.3.0rc22');
      const command = trtllm['command'] as string[];
      assert.deepEqual([command[0], command[1], command[3]], ['/bin/sh', '-c', 'trtllm-serve']);
      assert.deepEqual(trtllm['args'], [
        '/models/t5-tiny-relu',
        '--backend',
        'pytorch',
        '--host',
        '0.0.0.0',
        '--port',
        '8001',
        '--tp_size',
        '2',
        '--max_batch_size',
        '32',
        '--max_seq_len',
        '4096',
        '--kv_cache_free_gpu_memory_fraction',
        '0.9',
      ]);
      assert.ok((trtllm['env'] as Json[]).some((entry) => entry['name'] === 'ENGINE_DTYPE' && entry['value'] === 'bfloat16'));
    }
  });

  it('a Hub model: the fetch init container gets HF_ENDPOINT and HF_TOKEN (by secretKeyRef), the engine neither', () => {
    const lines = ['SERVING_BACKEND=vllm', 'HF_ENDPOINT=https://hub.example.com', 'HF_TOKEN=hf_secret_value'];
    const objects = render([...GKE_TWO_GPUS, ...lines], 'hf://org/llama-3-8b');
    validateAll(objects);
    const spec = get(find(objects, 'Deployment'), 'spec.template.spec') as Json;
    const init = (get(spec, 'initContainers') as Json[])[0];
    assert.deepEqual(get(init, 'args'), ['fetch', 'hf://org/llama-3-8b', '/models/llama-3-8b']);
    assert.deepEqual(get(init, 'env'), [
      { name: 'LLM_DEPLOY_CACHE', value: '/models/.cache' },
      { name: 'HF_ENDPOINT', value: 'https://hub.example.com' },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'llama-3-8b-secrets', key: 'HF_TOKEN' } } },
    ]);
    const engineEnv = JSON.stringify(container(spec, 'vllm')['env']);
    assert.ok(!engineEnv.includes('HF_TOKEN') && !engineEnv.includes('hf_secret_value'), engineEnv);
  });

  it("TensorRT-LLM's shell wrapper hands every flag to trtllm-serve and writes the dtype into the --config file", async () => {
    const trtllm = container(pod([], model('t5-tiny-relu')).spec, 'tensorrt-llm');
    const bin = await mkdtemp(join(tmpdir(), 'llm-deploy-trtllm-'));
    // a stand-in trtllm-serve that prints its argv and the options file it was given
    await writeFile(
      join(bin, 'trtllm-serve'),
      '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\nwhile [ "$1" != "--config" ]; do shift; done\ncat "$2"\n',
    );
    await chmod(join(bin, 'trtllm-serve'), 0o755);
    const [shell, ...shellArgs] = trtllm['command'] as string[];
    assert.ok(shell !== undefined);
    const { stdout } = await promisify(execFile)(shell, [...shellArgs, ...(trtllm['args'] as string[])], {
      env: { PATH: `${bin}:/usr/bin:/bin`, ENGINE_DTYPE: 'bfloat16' },
    });
    const args = stdout
      .split('\n')
      .filter((line) => line.startsWith('arg:'))
      .map((line) => line.slice(4));
    assert.deepEqual(args, [...(trtllm['args'] as string[]), '--config', '/tmp/llm-api-options.yaml']);
    assert.match(stdout, /^dtype: bfloat16$/m);
  });
});
