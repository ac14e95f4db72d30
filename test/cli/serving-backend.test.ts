import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ROOT, runMain } from './run-cli.js';

const LLAMA = join(ROOT, 'models/demo-llama');
const T5 = join(ROOT, 'test/fixtures/t5-tiny-relu');
const GKE = ['PROJECT_ID=my-project', 'GPU_COUNT_PER_MODEL=2', 'GPU_COUNT=2', 'VM_TYPE=a2-highgpu-2g'];

async function spec(lines: readonly string[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'llm-deploy-backend-')), 'spec.env');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('llm-deploy config/render with SERVING_BACKEND', () => {
  it('config refuses vLLM for a T5 model (exit 2), naming what vLLM serves and the engine that serves T5', async () => {
    const path = await spec([`MODEL_SOURCE_PATH=${T5}`, ...GKE, 'SERVING_BACKEND=vllm']);
    const run = await runMain(['config', '--env-file', path]);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(
      run.stderr.includes(`${path}:6: SERVING_BACKEND: vllm cannot serve the model's architecture T5ForConditionalGeneration`),
      run.stderr,
    );
    assert.match(run.stderr, /LlamaForCausalLM, MistralForCausalLM/);
    assert.match(run.stderr, /tensorrt-llm serves T5ForConditionalGeneration/);
  });

  it('config refuses SERVING_BACKEND and USE_FASTER_TRANSFORMER that disagree (exit 2), naming both', async () => {
    const path = await spec([
      'MODEL_SOURCE_PATH=gs://my-bucket/models/t5',
      ...GKE,
      'USE_FASTER_TRANSFORMER=true',
      'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/ft',
      'SERVING_BACKEND=tensorrt-llm',
    ]);
    const run = await runMain(['config', '--env-file', path]);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes('SERVING_BACKEND=tensorrt-llm and USE_FASTER_TRANSFORMER=true'), run.stderr);
  });

  it('render with a decoder-only model on gke picks vLLM and prints the engine pod', async () => {
    const path = await spec([`MODEL_SOURCE_PATH=${LLAMA}`, ...GKE]);
    const config = await runMain(['config', '--env-file', path, '--json']);
    assert.equal(config.code, 0, config.stderr);
    assert.match(config.stdout, /"SERVING_BACKEND": \{\s*"value": "vllm",\s*"source": "derived: the GPU engine for LlamaForCausalLM/);
    const run = await runMain(['render', '--env-file', path]);
    assert.equal(run.code, 0, run.stderr);
    const deployment = parseAllDocuments(run.stdout)
      .map((document) => document.toJSON() as { kind: string; spec?: { template: { spec: { containers: { name: string }[] } } } })
      .find((object) => object.kind === 'Deployment');
    assert.deepEqual(
      deployment?.spec?.template.spec.containers.map((container) => container.name),
      ['vllm', 'server'],
    );
  });
});
