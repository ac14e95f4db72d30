import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './run-cli.js';

async function envFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'llm-deploy-config-')), 'spec.env');
  await writeFile(path, text);
  return path;
}

describe('llm-deploy (CLI)', () => {
  it('--help lists every command', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    for (const command of ['serve', 'deploy', 'render', 'convert', 'tokenize', 'status', 'teardown', 'verify', 'config']) {
      assert.match(run.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `${command} missing from --help`);
    }
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const run = await runCli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command/);
  });

  it('config prints each resolved setting with its source', async () => {
    const path = await envFile('GPU_COUNT_PER_MODEL=2\nMODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base\nAPI_KEY=hunter2\n');
    const run = await runCli(['config', '--env-file', path, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const parsed: unknown = JSON.parse(run.stdout);
    assert.ok(typeof parsed === 'object' && parsed !== null && 'settings' in parsed);
    const settings = parsed.settings as Record<string, { value: unknown; source: string }>;
    assert.deepEqual(settings['GPU_COUNT_PER_MODEL'], { value: 2, source: `${path}:1` });
    assert.deepEqual(settings['KSA_NAME'], { value: 'aiinfra-gke-sa', source: 'default' });
    assert.equal(settings['MODEL_NAME']?.value, 'flan-t5-base');
    assert.match(settings['MODEL_NAME']?.source ?? '', /^derived/);
    assert.equal(settings['API_KEY']?.value, '(set, hidden)');
    assert.ok(!run.stdout.includes('hunter2'));
  });

  it('config on a bad file exits 2 naming every problem', async () => {
    const path = await envFile('GPU_COUNT_PER_MODEL=0\nPOD_MEMORY_LIMIT=16GB\nUSE_FASTER_TRANSFORMER=maybe\n');
    const run = await runCli(['config', '--env-file', path]);
    assert.equal(run.code, 2);
    for (const expected of [
      `${path}:1: GPU_COUNT_PER_MODEL`,
      `${path}:2: POD_MEMORY_LIMIT`,
      `${path}:3: USE_FASTER_TRANSFORMER`,
      'MODEL_SOURCE_PATH: required',
    ]) {
      assert.ok(run.stderr.includes(expected), `${expected} not in:\n${run.stderr}`);
    }
  });

  it('config exits 2 naming each value that cannot work in the manifests, with its rule', async () => {
    const path = await envFile(
      'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://my-bucket/m\nPOD_MEMORY_LIMIT=0\nINFERENCING_IMAGE_URI=ghcr.io/Org/llm\n' +
        'GCP_SERVICE_ACCOUNT=llm@gmail.com\nEXISTING_CLUSTER_ID=Prod_Cluster\nPROJECT_ID=my-project\n',
    );
    const run = await runCli(['config', '--env-file', path]);
    assert.equal(run.code, 2);
    for (const expected of [
      `${path}:3: POD_MEMORY_LIMIT: memory below 128Mi`,
      `${path}:4: INFERENCING_IMAGE_URI: image repository path must be lower-case`,
      `${path}:5: GCP_SERVICE_ACCOUNT: not a Google service account e-mail`,
      `${path}:6: EXISTING_CLUSTER_ID: not a GKE cluster name`,
    ]) {
      assert.ok(run.stderr.includes(expected), `${expected} not in:\n${run.stderr}`);
    }
  });

  it('config exits 2 when a replica needs more GPUs than a node of VM_TYPE carries, naming both settings', async () => {
    const path = await envFile(
      'GPU_COUNT_PER_MODEL=2\nMODEL_SOURCE_PATH=gs://my-bucket/m\nPROJECT_ID=my-project\nVM_TYPE=g2-standard-8\nGPU_COUNT=2\n',
    );
    const run = await runCli(['config', '--env-file', path]);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.includes(`${path}:5: GPU_COUNT: VM_TYPE=g2-standard-8 carries 1 GPU, not GPU_COUNT=2`), run.stderr);
    const fitting = await envFile(
      'GPU_COUNT_PER_MODEL=2\nMODEL_SOURCE_PATH=gs://my-bucket/m\nPROJECT_ID=my-project\nVM_TYPE=g2-standard-24\nGPU_COUNT=1\n',
    );
    const refused = await runCli(['config', '--env-file', fitting]);
    assert.equal(refused.code, 2);
    assert.ok(refused.stderr.includes('GPU_COUNT_PER_MODEL=2 is larger than GPU_COUNT=1'), refused.stderr);
  });

  it('config on a missing file exits 2 naming it', async () => {
    const run = await runCli(['config', '--env-file', '/nonexistent/spec.env']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\/nonexistent\/spec\.env/);
  });
});
