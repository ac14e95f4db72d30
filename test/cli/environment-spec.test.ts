import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, runMain } from './run-cli.js';

// `docker run --env-file prod.env IMAGE deploy` hands the file to the process as its environment:
// the deployment commands then run with no --env-file of their own.
const GKE_SPEC = {
  GPU_COUNT_PER_MODEL: '1',
  MODEL_SOURCE_PATH: 'gs://bucket-a/m',
  PROJECT_ID: 'my-project',
  ZONE: 'us-central1-a',
  SERVING_BACKEND: 'native',
};

describe('the deployment spec from the process environment alone', () => {
  let work = '';
  let localSpec: Record<string, string> = {};

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-env-spec-'));
    localSpec = {
      MODEL_SOURCE_PATH: './models/demo-t5',
      GPU_COUNT_PER_MODEL: '1',
      MODEL_NAME: 'from-env',
      LLM_DEPLOY_STATE: join(work, 'state'),
    };
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('render prints the manifests from the smallest spec, a one-letter PROJECT_ID with a note', async () => {
    const spec = { GPU_COUNT_PER_MODEL: '1', MODEL_SOURCE_PATH: 'gs://bucket-a/m', PROJECT_ID: 'p', ZONE: 'us-central1-a' };
    const run = await runCli(['render'], { env: spec });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kind: Deployment/);
    assert.match(run.stdout, /gs:\/\/bucket-a\/m/);
    assert.match(run.stderr, /PROJECT_ID=p is shorter than any GCP project id/);
    assert.match(run.stderr, /SERVING_BACKEND defaults to tensorrt-llm/);
  });

  it('render prints the manifests with no --env-file (env -i ... llm-deploy render)', async () => {
    const run = await runCli(['render'], { env: GKE_SPEC });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kind: Deployment/);
    assert.match(run.stdout, /gs:\/\/bucket-a\/m/);
  });

  it('config shows each given value as coming from the environment', async () => {
    const run = await runMain(['config', '--json'], '', GKE_SPEC);
    assert.equal(run.code, 0, run.stderr);
    const { settings } = JSON.parse(run.stdout) as { settings: Record<string, { source: string } | undefined> };
    assert.equal(settings['MODEL_SOURCE_PATH']?.source, 'environment');
    assert.equal(settings['GPU_COUNT_PER_MODEL']?.source, 'environment');
  });

  it('status and teardown read the environment alone', async () => {
    const down = await runMain(['teardown', '--target', 'local'], '', localSpec);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /from-env: nothing to tear down/);
    const status = await runMain(['status', '--target', 'local', '--json'], '', localSpec);
    assert.equal(status.code, 1, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), { target: 'local', name: 'from-env', state: 'absent' });
  });

  it('deploy reads the environment alone (a missing key is the usual exit-2 list)', async () => {
    const run = await runMain(['deploy', '--dry-run'], '', { MODEL_SOURCE_PATH: 'gs://bucket-a/m', PROJECT_ID: 'p' });
    assert.equal(run.code, 2);
    assert.doesNotMatch(run.stderr, /CONFIG_ENV_FILE_REQUIRED|reads the deployment spec from an env file/);
    assert.match(run.stderr, /GPU_COUNT_PER_MODEL: required setting is missing/);
  });

  it('with nothing given, every missing key is listed and where it may come from', async () => {
    for (const command of ['config', 'render', 'deploy', 'status', 'teardown']) {
      const run = await runMain([command], '', {});
      assert.equal(run.code, 2, `${command}: ${run.stderr}`);
      assert.match(run.stderr, /GPU_COUNT_PER_MODEL: required setting is missing/, command);
      assert.match(run.stderr, /MODEL_SOURCE_PATH: required setting is missing/, command);
      assert.match(run.stderr, /--env-file or the environment/, command);
    }
  });
});
