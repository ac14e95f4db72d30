import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigInvalidError, describeProblem } from './config-error.js';
import { loadDeploymentText, problemsOf } from './__fixtures__/deployment-text.js';
import { loadSettings } from './load.js';
import type { DeploymentSettings } from './settings.js';
import { localArchitecture } from './serving-backend.js';

/** A fixture model directory holding only the checkpoint's config.json. */
function model(name: string): string {
  return fileURLToPath(new URL(`./__fixtures__/architectures/${name}`, import.meta.url));
}

const GKE = 'GPU_COUNT_PER_MODEL=1\nPROJECT_ID=my-project\n';

function deployment(text: string): DeploymentSettings {
  const { settings } = loadDeploymentText(text);
  assert.ok('trtllmImage' in settings);
  return settings as DeploymentSettings;
}

function refusal(text: string): string {
  const error = problemsOf(text);
  return error.problems
    .filter((problem) => problem.key === 'SERVING_BACKEND')
    .map(describeProblem)
    .join('\n');
}

describe('SERVING_BACKEND', () => {
  it("reads the architecture from a local model's config.json, nothing from a bucket or the Hub", () => {
    assert.equal(localArchitecture(model('llama-gqa')), 'LlamaForCausalLM');
    assert.equal(localArchitecture(`file://${model('t5-tiny-relu')}`), 'T5ForConditionalGeneration');
    assert.equal(localArchitecture('gs://bucket/models/llama'), undefined);
    assert.equal(localArchitecture('hf://org/name'), undefined);
    assert.equal(localArchitecture('/gcs/bucket/models/llama'), undefined);
    assert.equal(localArchitecture(model('no-such-model')), undefined);
  });

  it('on gke defaults to the GPU engine for the architecture: TensorRT-LLM for encoder-decoder, vLLM for decoder-only', () => {
    const cases: readonly [string, string][] = [
      ['t5-tiny-relu', 'tensorrt-llm'],
      ['bart-tiny', 'tensorrt-llm'],
      ['llama-gqa', 'vllm'],
      ['gpt2-tiny', 'vllm'],
    ];
    for (const [name, backend] of cases) {
      assert.equal(deployment(`${GKE}MODEL_SOURCE_PATH=${model(name)}\n`).servingBackend, backend, name);
    }
  });

  it('on gke, an architecture no GPU engine serves stays on the native engine, with a note', () => {
    const loaded = loadDeploymentText(`${GKE}MODEL_SOURCE_PATH=${model('marian-tiny')}\n`);
    assert.equal((loaded.settings as DeploymentSettings).servingBackend, 'native');
    assert.ok(
      loaded.warnings.some((warning) => warning.includes('no GPU engine serves MarianMTModel')),
      loaded.warnings.join('\n'),
    );
  });

  it('defaults to native on the local target, and to fastertransformer with USE_FASTER_TRANSFORMER=true', () => {
    assert.equal(deployment(`GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=${model('llama-gqa')}\n`).servingBackend, 'native');
    const ft = deployment(
      `${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nUSE_FASTER_TRANSFORMER=true\nCONVERTED_MODEL_UPLOAD_PATH=gs://bucket-a/ft\n`,
    );
    assert.equal(ft.servingBackend, 'fastertransformer');
  });

  it('SERVING_BACKEND=fastertransformer alone means USE_FASTER_TRANSFORMER, CONVERTED_MODEL_UPLOAD_PATH included', () => {
    const settings = deployment(
      `${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nSERVING_BACKEND=fastertransformer\nCONVERTED_MODEL_UPLOAD_PATH=gs://bucket-a/ft\n`,
    );
    assert.equal(settings.useFasterTransformer, true);
    const error = problemsOf(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nSERVING_BACKEND=fastertransformer\n`);
    assert.ok(error.problems.some((problem) => problem.key === 'CONVERTED_MODEL_UPLOAD_PATH'));
  });

  it('refuses vLLM for a T5 model, naming what vLLM serves and what serves T5', () => {
    const message = refusal(`${GKE}MODEL_SOURCE_PATH=${model('t5-tiny-relu')}\nSERVING_BACKEND=vllm\n`);
    assert.match(message, /spec\.env:4: SERVING_BACKEND: vllm cannot serve the model's architecture T5ForConditionalGeneration/);
    assert.match(message, /LlamaForCausalLM/);
    assert.match(message, /tensorrt-llm serves T5ForConditionalGeneration/);
  });

  it('refuses TensorRT-LLM for GPT-2, which its PyTorch backend does not list', () => {
    assert.match(refusal(`${GKE}MODEL_SOURCE_PATH=${model('gpt2-tiny')}\nSERVING_BACKEND=tensorrt-llm\n`), /vllm serves GPT2LMHeadModel/);
  });

  it('refuses SERVING_BACKEND and USE_FASTER_TRANSFORMER that contradict each other, naming both', () => {
    for (const pair of [
      'SERVING_BACKEND=vllm\nUSE_FASTER_TRANSFORMER=true',
      'SERVING_BACKEND=fastertransformer\nUSE_FASTER_TRANSFORMER=false',
    ]) {
      const message = refusal(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nCONVERTED_MODEL_UPLOAD_PATH=gs://bucket-a/ft\n${pair}\n`);
      assert.match(message, /SERVING_BACKEND and USE_FASTER_TRANSFORMER disagree/);
      assert.ok(message.includes(pair.replace('\n', ' and ')), message);
    }
    assert.equal(
      deployment(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nSERVING_BACKEND=vllm\nUSE_FASTER_TRANSFORMER=false\n`).servingBackend,
      'vllm',
    );
  });

  it('defaults to tensorrt-llm on gke, with a note, when the model is only in a bucket', () => {
    const loaded = loadDeploymentText(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/models/llama\n`);
    assert.equal(loaded.settings.servingBackend, 'tensorrt-llm');
    assert.ok(
      loaded.warnings.some((note) => /config\.json cannot be read here.*defaults to tensorrt-llm.*SERVING_BACKEND=vllm/.test(note)),
      loaded.warnings.join('\n'),
    );
    assert.equal(deployment(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/models/llama\nSERVING_BACKEND=vllm\n`).servingBackend, 'vllm');
  });

  it('refuses a GPU engine on the local target', () => {
    assert.match(refusal(`GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=${model('llama-gqa')}\nSERVING_BACKEND=vllm\n`), /local target runs/);
  });

  it('refuses a memory limit below what the server requests next to an engine', () => {
    const error = problemsOf(`${GKE}MODEL_SOURCE_PATH=${model('llama-gqa')}\nPOD_MEMORY_LIMIT=512Mi\n`);
    assert.ok(error.problems.some((problem) => problem.key === 'POD_MEMORY_LIMIT' && problem.expected.includes('vllm')));
  });
});

describe('SERVING_BACKEND for serve (--backend), and its older names', () => {
  const serve = (env: Record<string, string>, flag?: string) =>
    loadSettings({
      mode: 'runtime',
      env,
      ...(flag === undefined ? {} : { flags: { SERVING_BACKEND: { value: flag, flag: '--backend' } } }),
    });

  it('defaults to native; triton is read as fastertransformer, from the flag or the environment', () => {
    assert.equal(serve({}).settings.servingBackend, 'native');
    assert.equal(serve({ SERVING_BACKEND: 'vllm' }).settings.servingBackend, 'vllm');
    assert.equal(serve({}, 'triton').settings.servingBackend, 'fastertransformer');
    assert.equal(serve({ SERVING_BACKEND: 'triton' }).settings.servingBackend, 'fastertransformer');
    assert.equal(
      deployment(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nSERVING_BACKEND=triton\nCONVERTED_MODEL_UPLOAD_PATH=gs://bucket-a/ft\n`)
        .useFasterTransformer,
      true,
    );
  });

  it('reads BACKEND, its older name, with a note on the environment and in an env file', () => {
    const fromEnv = serve({ BACKEND: 'triton' });
    assert.equal(fromEnv.settings.servingBackend, 'fastertransformer');
    assert.ok(
      fromEnv.warnings.some((note) => note.startsWith('note: BACKEND=triton is read as SERVING_BACKEND')),
      fromEnv.warnings.join('\n'),
    );
    const fromFile = loadDeploymentText(`${GKE}MODEL_SOURCE_PATH=gs://bucket-a/m\nBACKEND=vllm\n`);
    assert.equal(fromFile.settings.servingBackend, 'vllm');
    assert.deepEqual(fromFile.sources.get('SERVING_BACKEND')?.source, { kind: 'file', file: 'spec.env', line: 4 });
    assert.ok(!fromFile.warnings.some((warning) => warning.includes('unknown key')), fromFile.warnings.join('\n'));
  });

  it('refuses BACKEND and SERVING_BACKEND that disagree, naming both; triton and fastertransformer agree', () => {
    assert.throws(
      () => serve({ BACKEND: 'vllm', SERVING_BACKEND: 'native' }),
      (error: unknown) => error instanceof ConfigInvalidError && /BACKEND=vllm and SERVING_BACKEND=native/.test(error.message),
    );
    assert.equal(serve({ BACKEND: 'triton', SERVING_BACKEND: 'fastertransformer' }).settings.servingBackend, 'fastertransformer');
  });

  it('a --backend flag wins over BACKEND in the environment, with a note', () => {
    const loaded = serve({ BACKEND: 'vllm' }, 'native');
    assert.equal(loaded.settings.servingBackend, 'native');
    assert.ok(
      loaded.warnings.some((note) => /BACKEND=vllm .*is ignored: --backend native wins/.test(note)),
      loaded.warnings.join('\n'),
    );
  });
});
