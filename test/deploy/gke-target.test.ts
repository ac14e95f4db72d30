import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { LlmDeployError, loadSettings, parseEnvFile, type DeploymentSettings } from '../../src/config/index.js';
import {
  clusterReady,
  clusterStatus,
  connectExistingCluster,
  createGkeApi,
  deployToCluster,
  gkeClusterPlan,
  manifestOptionsFromSettings,
  teardownCluster,
  type ClusterAccess,
} from '../../src/deploy/index.js';
import { FakeGkeApi, type FakeGkeBehaviour } from './fake-gke-api.js';
import { FakeKubeApi, type FakeKubeBehaviour } from './fake-kube-api.js';
import { nativeUnlessFasterTransformer } from './gke-spec.js';
import { GKE_SPEC, startGkeWorld } from './gke-world.js';
import { runTargetContract } from './target-contract.js';

function settings(lines: readonly string[] = []): DeploymentSettings {
  const text = [...GKE_SPEC, ...nativeUnlessFasterTransformer(lines), ...lines].join('\n');
  return loadSettings({ mode: 'deployment', env: {}, envFile: parseEnvFile(text, { file: 'spec.env', env: {} }) }).settings;
}

describe('gke target flow against loopback GKE and Kubernetes APIs', () => {
  const running: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    while (running.length > 0) await running.pop()?.stop();
  });

  async function world(gke: FakeGkeBehaviour = {}, kube: FakeKubeBehaviour = {}) {
    const kubeApi = new FakeKubeApi(kube);
    await kubeApi.start();
    const gkeApi = new FakeGkeApi({ operationPolls: 1, clusterEndpoint: kubeApi.url.replace('http://', ''), ...gke });
    await gkeApi.start();
    running.push(kubeApi, gkeApi);
    const access: ClusterAccess = {
      kind: 'gke',
      gke: createGkeApi({ apiEndpoint: '127.0.0.1', port: gkeApi.port, protocol: 'http', accessToken: 'test', pollMs: 5 }),
      insecureHttp: true,
    };
    return { kubeApi, gkeApi, access };
  }

  async function deploy(access: ClusterAccess, spec: DeploymentSettings, lines: string[]) {
    return deployToCluster({
      access,
      plan: gkeClusterPlan(spec),
      manifest: manifestOptionsFromSettings(spec),
      jobTimeoutMs: 5_000,
      rolloutTimeoutMs: 5_000,
      pollMs: 10,
      retryDelayMs: 10,
      write: (line) => lines.push(line),
    });
  }

  it('creates NAME_PREFIX-gke, deploys onto it with the GKE token and reports where it answers', async () => {
    const { kubeApi, gkeApi, access } = await world();
    const lines: string[] = [];
    const deployment = await deploy(access, settings(), lines);
    assert.ok(gkeApi.clusters.has('projects/my-project/locations/us-central1/clusters/team-a-gke'));
    assert.equal(deployment.clusterName, 'team-a-gke');
    assert.equal(deployment.baseUrl, 'http://203.0.113.7:30500');
    assert.equal(deployment.kserveUrl, 'http://203.0.113.7:30501');
    assert.equal(kubeApi.count('PATCH', '/daemonsets/'), 0, 'a new cluster gets its drivers from GKE');
    assert.equal(kubeApi.count('PATCH', '/deployments/flan-t5-base'), 1);
    assert.ok(
      kubeApi.requests.every((request) => request.authorization === 'Bearer test'),
      'the Google token reaches Kubernetes',
    );
    // Steps are numbered against the right total and each ends with its elapsed time.
    const ends = lines.filter((line) => /^\[\d\/\d\] .*: done in \d+\.\d s \(total \d+\.\d s\)$/.test(line));
    assert.equal(ends.length, 7);
    assert.ok(ends.every((line) => line.includes('/7]')));
    assert.ok(lines.some((line) => line.includes('create cluster team-a-gke: DONE')));
  });

  it('reuses an existing cluster and ensures the NVIDIA driver installer on it (schema-valid DaemonSet)', async () => {
    const { kubeApi, gkeApi, access } = await world();
    gkeApi.addCluster('projects/my-project/locations/us-central1-a/clusters/prod');
    await deploy(access, settings(['EXISTING_CLUSTER_ID=prod']), []);
    assert.equal(gkeApi.count('POST', '/clusters'), 0);
    const path = '/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-driver-installer';
    const applied = kubeApi.objects.get(path);
    assert.ok(applied !== undefined, 'driver installer applied');
    new DaemonSet(applied as ConstructorParameters<typeof DaemonSet>[0]).validate();
    const patch = kubeApi.requests.find((request) => request.path.startsWith(path));
    assert.equal(patch?.contentType, 'application/apply-patch+yaml');
  });

  it('a regional EXISTING_CLUSTER_ID is found with ZONE set (looked up across locations)', async () => {
    const { gkeApi, access } = await world();
    gkeApi.addCluster('projects/my-project/locations/us-central1/clusters/prod');
    const lines: string[] = [];
    const deployment = await deploy(access, settings(['EXISTING_CLUSTER_ID=prod']), lines);
    assert.equal(deployment.clusterName, 'prod');
    assert.equal(gkeApi.count('GET', '/locations/-/clusters'), 1);
    assert.equal(gkeApi.count('GET', '/locations/us-central1-a/clusters/prod'), 0);
    assert.equal(gkeApi.count('POST', '/clusters'), 0);
    assert.ok(
      lines.some((line) => line.includes('gcloud container clusters get-credentials prod --region us-central1 --project my-project')),
    );
  });

  it('two clusters of the EXISTING_CLUSTER_ID name in different locations: an error naming both', async () => {
    const { kubeApi, gkeApi, access } = await world();
    gkeApi.addCluster('projects/my-project/locations/us-central1/clusters/prod');
    gkeApi.addCluster('projects/my-project/locations/europe-west4-a/clusters/prod');
    await assert.rejects(
      deploy(access, settings(['EXISTING_CLUSTER_ID=prod']), []),
      (error: unknown) =>
        LlmDeployError.isInstance(error) &&
        error.code === 'DEPLOY_CLUSTER_AMBIGUOUS' &&
        /us-central1\b/.test(error.message) &&
        /europe-west4-a/.test(error.message),
    );
    assert.equal(kubeApi.requests.length, 0);
  });

  it('EXISTING_CLUSTER_ID naming a missing cluster stops before any Kubernetes call', async () => {
    const { kubeApi, access } = await world();
    await assert.rejects(
      deploy(access, settings(['EXISTING_CLUSTER_ID=nope']), []),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_CLUSTER_NOT_FOUND',
    );
    assert.equal(kubeApi.requests.length, 0);
  });

  it('a cluster GKE reports STOPPING is not used', async () => {
    const { kubeApi, gkeApi, access } = await world();
    gkeApi.addCluster('projects/my-project/locations/us-central1/clusters/team-a-gke', { status: 'STOPPING' });
    await assert.rejects(
      deploy(access, settings(), []),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_STEP_FAILED' && /STOPPING/.test(error.message),
    );
    assert.equal(gkeApi.count('POST', '/clusters'), 0);
    assert.equal(kubeApi.requests.length, 0);
  });

  it('a failing conversion Job stops the deploy with its logs', async () => {
    const { kubeApi, access } = await world({}, { jobOutcome: 'fail' });
    const spec = settings(['USE_FASTER_TRANSFORMER=true', 'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/ft']);
    const lines: string[] = [];
    await assert.rejects(deploy(access, spec, lines), /CONVERT_TENSOR_MISSING/);
    assert.equal(kubeApi.count('PATCH', '/deployments/'), 0);
    assert.ok(lines.some((line) => /run the conversion Job .*: FAILED after/.test(line)));
  });

  it('status reads replicas, pods and NodePorts; teardown deletes objects then the cluster it created', async () => {
    const { kubeApi, gkeApi, access } = await world();
    const spec = settings();
    await deploy(access, spec, []);
    const connected = await connectExistingCluster(access, gkeClusterPlan(spec));
    assert.ok(connected !== undefined);
    const status = await clusterStatus(connected.api, manifestOptionsFromSettings(spec));
    assert.deepEqual(status.deployment, { name: 'flan-t5-base', desired: 1, ready: 1, updated: 1 });
    assert.deepEqual(status.nodePorts, { http: 30500, kserve: 30501 });
    assert.equal(status.pods.length, 1);
    assert.ok(clusterReady(status));

    const asked: string[] = [];
    const lines: string[] = [];
    const teardown = (answer: boolean) =>
      teardownCluster({
        access,
        plan: gkeClusterPlan(spec),
        manifest: manifestOptionsFromSettings(spec),
        confirmClusterDeletion: (name) => {
          asked.push(name);
          return Promise.resolve(answer);
        },
        write: (line) => lines.push(line),
      });
    await assert.rejects(teardown(false), (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_NOT_CONFIRMED');
    assert.equal(kubeApi.count('DELETE', '/'), 0, 'a refusal deletes nothing');
    await teardown(true);
    assert.deepEqual(asked, ['team-a-gke', 'team-a-gke']);
    assert.deepEqual(lines.slice(0, 3), [
      'Service/flan-t5-base: deleted',
      'Deployment/flan-t5-base: deleted',
      'ServiceAccount/aiinfra-gke-sa: deleted',
    ]);
    assert.equal(gkeApi.clusters.size, 0);
    assert.equal(lines.at(-1), 'cluster team-a-gke: deleted');
  });

  it('teardown keeps a cluster named by EXISTING_CLUSTER_ID, or one without the managed-by label', async () => {
    const { gkeApi, access } = await world();
    gkeApi.addCluster('projects/my-project/locations/us-central1-a/clusters/prod');
    gkeApi.addCluster('projects/my-project/locations/us-central1/clusters/team-a-gke');
    for (const spec of [settings(['EXISTING_CLUSTER_ID=prod']), settings()]) {
      const lines: string[] = [];
      await teardownCluster({
        access,
        plan: gkeClusterPlan(spec),
        manifest: manifestOptionsFromSettings(spec),
        confirmClusterDeletion: () => Promise.reject(new Error('must not ask')),
        write: (line) => lines.push(line),
      });
      assert.match(lines.at(-1) ?? '', /kept/);
    }
    assert.equal(gkeApi.count('DELETE', '/clusters/'), 0);
    assert.equal(gkeApi.clusters.size, 2);
  });
});

runTargetContract({
  title: 'gke (loopback GKE, Kubernetes, Cloud Storage and IAM APIs)',
  create: async () => {
    const world = await startGkeWorld();
    const target = world.target();
    assert.equal(target.kind, 'gke');
    return {
      target,
      name: 'flan-t5-base',
      calls: () => Promise.resolve(world.calls()),
      assertReplaced: (first, second) => {
        assert.deepEqual(second.details['deployment'], first.details['deployment'], 'the same Deployment, re-applied');
        assert.equal(world.gke.count('POST', '/clusters'), 1, 'the cluster of the first deploy is reused');
      },
      close: () => world.stop(),
    };
  },
});
