import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError, loadSettings, parseEnvFile, type DeploymentSettings } from '../../config/index.js';
import { describeClusterPlan, gkeClusterPlan } from './cluster-plan.js';

function settings(lines: readonly string[]): DeploymentSettings {
  const text = ['MODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base', 'GPU_COUNT_PER_MODEL=1', ...lines].join('\n');
  return loadSettings({ mode: 'deployment', env: {}, envFile: parseEnvFile(text, { file: 'spec.env', env: {} }) }).settings;
}

describe('gkeClusterPlan', () => {
  it('creates NAME_PREFIX-gke in ZONE with the node pool settings when EXISTING_CLUSTER_ID is empty', () => {
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
      ]),
    );
    assert.equal(plan.create, true);
    assert.equal(plan.name, 'team-a-gke');
    assert.equal(plan.location, 'europe-west4-a');
    assert.deepEqual(plan.spec, {
      projectId: 'proj-1',
      location: 'europe-west4-a',
      name: 'team-a-gke',
      gkeVersion: '1.29',
      machineType: 'a2-highgpu-2g',
      acceleratorType: 'nvidia-tesla-a100',
      gpuCountPerNode: 2,
      nodePoolCount: 3,
      nodeCountPerPool: 4,
      serviceAccount: undefined,
    });
    assert.match(describeClusterPlan(plan), /3 x 4 node\(s\) of a2-highgpu-2g, 2 x nvidia-tesla-a100 each/);
  });

  it('uses EXISTING_CLUSTER_ID, and REGION when no ZONE is set', () => {
    const plan = gkeClusterPlan(settings(['PROJECT_ID=proj-1', 'REGION=us-east1', 'EXISTING_CLUSTER_ID=prod']));
    assert.equal(plan.create, false);
    assert.equal(plan.name, 'prod');
    assert.equal(plan.location, 'us-east1');
    assert.match(describeClusterPlan(plan), /use the existing GKE cluster prod in us-east1/);
  });

  it('needs a location', () => {
    assert.throws(
      () => gkeClusterPlan(settings(['PROJECT_ID=proj-1'])),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_SETTING_MISSING' && error.field === 'ZONE',
    );
  });
});
