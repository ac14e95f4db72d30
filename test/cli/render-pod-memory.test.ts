import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { nativeEngineMemoryBytes } from '../../src/deploy/index.js';
import { ROOT, runMain } from './run-cli.js';

const T5 = join(ROOT, 'test/fixtures/t5-tiny-relu');
const GKE = ['PROJECT_ID=my-project', 'GPU_COUNT_PER_MODEL=1', 'GPU_COUNT=1', 'VM_TYPE=a2-highgpu-1g', 'SERVING_BACKEND=native'];

async function spec(lines: readonly string[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'llm-deploy-memory-')), 'spec.env');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('render: POD_MEMORY_LIMIT against what the native engine needs for the model', () => {
  it('warns when the limit is below the rule for the local checkpoint, and still prints the manifests', async () => {
    const run = await runMain(['render', '--env-file', await spec([`MODEL_SOURCE_PATH=${T5}`, ...GKE, 'POD_MEMORY_LIMIT=512Mi'])]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: POD_MEMORY_LIMIT=512Mi is below the 1\.0 GiB the native engine needs for /);
    assert.match(run.stderr, /Set POD_MEMORY_LIMIT=2Gi or more/);
    assert.ok(parseAllDocuments(run.stdout).some((document) => document.toJSON()?.kind === 'Deployment'));
  });

  it('is quiet when the limit suffices, and when the model cannot be inspected here', async () => {
    const enough = await runMain(['render', '--env-file', await spec([`MODEL_SOURCE_PATH=${T5}`, ...GKE, 'POD_MEMORY_LIMIT=2Gi'])]);
    assert.equal(enough.code, 0, enough.stderr);
    assert.doesNotMatch(enough.stderr, /POD_MEMORY_LIMIT/);
    const bucket = await runMain([
      'render',
      '--env-file',
      await spec(['MODEL_SOURCE_PATH=gs://my-bucket/t5', ...GKE, 'POD_MEMORY_LIMIT=512Mi']),
    ]);
    assert.equal(bucket.code, 0, bucket.stderr);
    assert.doesNotMatch(bucket.stderr, /POD_MEMORY_LIMIT/);
  });

  it('needs 1.3x the float32 weights plus 1 GiB: flan-t5-large (783M) fits the default 16Gi, 3.5B parameters do not', () => {
    assert.equal(nativeEngineMemoryBytes(0), 2 ** 30);
    assert.ok(nativeEngineMemoryBytes(3.5e9 * 4) > 16 * 2 ** 30);
    assert.ok(nativeEngineMemoryBytes(0.78e9 * 4) < 16 * 2 ** 30);
  });
});
