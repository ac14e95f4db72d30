import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError, loadSettings, parseEnvFile, type DeploymentSettings } from '../../config/index.js';
import { describeClusterPlan, getCredentialsCommand, gkeClusterPlan } from './cluster-plan.js';

function settings(lines: readonly string[]): DeploymentSettings {
  const text = ['MODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base', 'GPU_COUNT_PER_MODEL=1', 'SERVING_BACKEND=native', ...lines].join(
    '\n',
  );
  return loadSettings({ mode: 'deployment', env: {}, envFile: parseEnvFile(text, { file: 'spec.env', env: {} }) }).settings;
}

describe('gkeClusterPlan', () => {
  it('creates NAME_PREFIX-gke regional in REGION with its nodes in ZONE and the node pool settings when EXISTING_CLUSTER_ID is empty', () => {
    const plan = gkeClusterPlan(
      settings([
        'PROJECT_ID=proj-1',
        'ZONE=europe-west4-a',
        'NAME_PREFIX=team-a',
        'VM_TYPE=a2-highgpu-2g',
        'ACCELERATOR_TYPE=nvidia-tesla-a100',
        'GPU_COUNT=2',
        'GKE_NODE_POOL_COUNT=3',
        'GKE_NODE_COUNT_PER_NODE_POOL=4',
        'GKE_VERSION=1.29',
        'DISK_SIZE_GB=500',
        'DISK_TYPE=pd-ssd',
        'GKE_ENABLE_COMPACT_PLACEMENT=true',
      ]),
    );
    assert.equal(plan.create, true);
    assert.equal(plan.name, 'team-a-gke');
    assert.equal(plan.location, 'europe-west4');
    assert.deepEqual(plan.spec, {
      projectId: 'proj-1',
      location: 'europe-west4',
      nodeLocation: 'europe-west4-a',
      name: 'team-a-gke',
      gkeVersion: '1.29',
      machineType: 'a2-highgpu-2g',
      acceleratorType: 'nvidia-tesla-a100',
      gpuCountPerNode: 2,
      nodePoolCount: 3,
      nodeCountPerPool: 4,
      serviceAccount: undefined,
      diskSizeGb: 500,
      diskType: 'pd-ssd',
      compactPlacement: true,
    });
    const described = describeClusterPlan(plan);
    assert.match(described, /3 x 4 node\(s\) of a2-highgpu-2g, 2 x nvidia-tesla-a100 each/);
    assert.match(described, /500 GB pd-ssd; auto-upgrade off, auto-repair on; compact placement/);
    assert.match(described, /gcloud container clusters get-credentials team-a-gke --region europe-west4 --project proj-1/);
  });

  it('get-credentials uses --zone for a zonal cluster and --region for a regional one', () => {
    assert.equal(
      getCredentialsCommand('c', 'us-central1-a', 'p'),
      'gcloud container clusters get-credentials c --zone us-central1-a --project p',
    );
    assert.equal(
      getCredentialsCommand('c', 'us-central1', 'p'),
      'gcloud container clusters get-credentials c --region us-central1 --project p',
    );
  });

  it('refuses an unknown DISK_TYPE, and compact placement on a family without it', () => {
    assert.throws(
      () => settings(['PROJECT_ID=proj-1', 'ZONE=us-central1-a', 'DISK_TYPE=pd-fast']),
      (error: unknown) => LlmDeployError.isInstance(error) && /DISK_TYPE/.test(String(error)),
    );
    assert.throws(
      () =>
        gkeClusterPlan(settings(['PROJECT_ID=proj-1', 'ZONE=us-central1-a', 'VM_TYPE=e2-standard-8', 'GKE_ENABLE_COMPACT_PLACEMENT=true'])),
      (error: unknown) => LlmDeployError.isInstance(error) && error.field === 'GKE_ENABLE_COMPACT_PLACEMENT',
    );
  });

  it('uses EXISTING_CLUSTER_ID, and REGION when no ZONE is set', () => {
    const plan = gkeClusterPlan(settings(['PROJECT_ID=proj-1', 'REGION=us-east1', 'EXISTING_CLUSTER_ID=prod']));
    assert.equal(plan.create, false);
    assert.equal(plan.name, 'prod');
    assert.equal(plan.location, 'us-east1');
    assert.match(describeClusterPlan(plan), /use the existing GKE cluster prod of project proj-1, looked up in every zone and region/);
  });

  it('needs a location', () => {
    assert.throws(
      () => gkeClusterPlan(settings(['PROJECT_ID=proj-1'])),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_SETTING_MISSING' && error.field === 'ZONE',
    );
  });
});
