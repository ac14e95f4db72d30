import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { createGkeApi, type GkeApi, type GkeClusterSpec } from '../../src/deploy/index.js';
import { FakeGkeApi, type FakeGkeBehaviour } from './fake-gke-api.js';

const SPEC: GkeClusterSpec = {
  projectId: 'my-project',
  location: 'us-central1',
  nodeLocation: 'us-central1-a',
  name: 'team-a-gke',
  gkeVersion: '1.29',
  machineType: 'a2-highgpu-4g',
  acceleratorType: 'nvidia-tesla-a100',
  gpuCountPerNode: 4,
  nodePoolCount: 2,
  nodeCountPerPool: 3,
  serviceAccount: undefined,
  diskSizeGb: 500,
  diskType: 'pd-ssd',
  compactPlacement: true,
};
const CLUSTERS = '/v1/projects/my-project/locations/us-central1/clusters';

function client(fake: FakeGkeApi, token = 'test'): GkeApi {
  return createGkeApi({ apiEndpoint: '127.0.0.1', port: fake.port, protocol: 'http', accessToken: token, pollMs: 5 });
}

function isCode(code: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  };
}

describe('GKE client against a loopback GKE API (official client, HTTP/JSON)', () => {
  const fakes: FakeGkeApi[] = [];
  async function gke(behaviour: FakeGkeBehaviour = {}): Promise<FakeGkeApi> {
    const fake = new FakeGkeApi(behaviour);
    await fake.start();
    fakes.push(fake);
    return fake;
  }
  before(() => undefined);
  after(async () => {
    for (const fake of fakes) await fake.stop();
  });

  it('creates the cluster with the GPU node pools, workload identity and the managed-by label, then waits for the operation', async () => {
    const fake = await gke({ operationPolls: 2 });
    const notes: string[] = [];
    await client(fake).createCluster(SPEC, (message) => notes.push(message));
    const create = fake.requests.find((request) => request.method === 'POST');
    assert.ok(create !== undefined);
    assert.equal(create.path, CLUSTERS);
    assert.equal(create.authorization, 'Bearer test');
    const body = create.body as { cluster: Record<string, unknown> };
    const cluster = body.cluster;
    assert.equal(cluster['name'], 'team-a-gke');
    assert.equal(cluster['initialClusterVersion'], '1.29');
    assert.deepEqual(cluster['workloadIdentityConfig'], { workloadPool: 'my-project.svc.id.goog' });
    assert.deepEqual(cluster['resourceLabels'], { 'managed-by': 'llm-deploy' });
    // Regional control plane, nodes only in ZONE (a regional default would put nodes in three zones).
    assert.deepEqual(cluster['locations'], ['us-central1-a']);
    // The client sends enums by number: Channel UNSPECIFIED (no release channel) is 0, Type COMPACT is 1.
    assert.deepEqual(cluster['releaseChannel'], { channel: 0 });
    const pools = cluster['nodePools'] as { name: string; initialNodeCount: number; config: Record<string, unknown> }[];
    assert.deepEqual(
      pools.map((pool) => pool.name),
      ['gpu-pool-1', 'gpu-pool-2'],
    );
    for (const pool of pools) {
      assert.equal(pool.initialNodeCount, 3);
      assert.equal(pool.config['machineType'], 'a2-highgpu-4g');
      const [accelerator] = pool.config['accelerators'] as Record<string, unknown>[];
      assert.equal(accelerator?.['acceleratorType'], 'nvidia-tesla-a100');
      // int64 fields travel as decimal strings in proto3 JSON.
      assert.equal(String(accelerator?.['acceleratorCount']), '4');
      assert.ok(accelerator?.['gpuDriverInstallationConfig'] !== undefined, 'GKE installs the drivers on new pools');
      assert.equal(pool.config['diskSizeGb'], 500);
      assert.equal(pool.config['diskType'], 'pd-ssd');
      assert.deepEqual(pool['placementPolicy' as keyof typeof pool], { type: 1 });
      assert.deepEqual(pool['management' as keyof typeof pool], { autoUpgrade: false, autoRepair: true });
    }
    assert.equal(fake.count('GET', '/operations/operation-1'), 3);
    assert.deepEqual(notes, [
      'create cluster team-a-gke: PENDING',
      'create cluster team-a-gke: RUNNING',
      'create cluster team-a-gke: DONE',
    ]);
  });

  it('"latest" leaves the version to GKE', async () => {
    const fake = await gke({ operationPolls: 0 });
    await client(fake).createCluster({ ...SPEC, gkeVersion: 'latest' });
    const body = fake.requests.find((request) => request.method === 'POST')?.body as { cluster: Record<string, unknown> };
    assert.equal(body.cluster['initialClusterVersion'] ?? undefined, undefined);
  });

  it('reads endpoint, CA and labels; a missing cluster is undefined (NOT_FOUND)', async () => {
    const fake = await gke({ clusterEndpoint: '198.51.100.4' });
    const api = client(fake);
    assert.equal(await api.getCluster('my-project', 'us-central1-a', 'team-a-gke'), undefined);
    await api.createCluster(SPEC);
    assert.equal(await api.getCluster('my-project', 'us-central1-a', 'team-a-gke'), undefined, 'a regional cluster is not under its zone');
    const cluster = await api.getCluster('my-project', 'us-central1', 'team-a-gke');
    assert.equal(cluster?.endpoint, 'https://198.51.100.4');
    assert.equal(Buffer.from(cluster?.caData ?? '', 'base64').toString(), 'fake CA');
    assert.equal(cluster?.createdByLlmDeploy, true);
    fake.addCluster('projects/my-project/locations/us-central1-a/clusters/theirs');
    assert.equal((await api.getCluster('my-project', 'us-central1-a', 'theirs'))?.createdByLlmDeploy, false);
  });

  it('deletes and waits; deleting a cluster that is gone is not an error', async () => {
    const fake = await gke({ operationPolls: 1 });
    const api = client(fake);
    await api.createCluster(SPEC);
    await api.deleteCluster('my-project', 'us-central1', 'team-a-gke');
    assert.equal(fake.clusters.size, 0);
    assert.equal(fake.count('DELETE', `${CLUSTERS}/team-a-gke`), 1);
    await api.deleteCluster('my-project', 'us-central1', 'team-a-gke');
  });

  it('finds clusters by name across all zones and regions (locations/-)', async () => {
    const fake = await gke();
    fake.addCluster('projects/my-project/locations/us-central1/clusters/prod');
    fake.addCluster('projects/my-project/locations/europe-west4-a/clusters/prod');
    fake.addCluster('projects/my-project/locations/us-central1/clusters/other');
    fake.addCluster('projects/elsewhere/locations/us-central1/clusters/prod');
    const found = await client(fake).findClusters('my-project', 'prod');
    assert.deepEqual(found.map((cluster) => cluster.location).sort(), ['europe-west4-a', 'us-central1']);
    assert.equal(fake.count('GET', '/v1/projects/my-project/locations/-/clusters'), 1);
  });

  it('GKE refuses a disk type it does not know, and auto-upgrade off under a release channel (the double as the API)', async () => {
    const fake = await gke({ operationPolls: 0 });
    await assert.rejects(client(fake).createCluster({ ...SPEC, diskType: 'pd-fast' }), isCode('DEPLOY_STEP_FAILED', /disk type/));
    await assert.rejects(
      client(fake).createCluster({ ...SPEC, machineType: 'e2-standard-8' }),
      isCode('DEPLOY_STEP_FAILED', /Compact placement/),
    );
  });

  it('an operation that ends with an error fails the step with its message', async () => {
    const fake = await gke({ operationPolls: 1, operationError: 'Insufficient regional quota to satisfy request: NVIDIA_A100_GPUS' });
    await assert.rejects(client(fake).createCluster(SPEC), isCode('DEPLOY_STEP_FAILED', /NVIDIA_A100_GPUS/));
  });

  it('creating a cluster that exists fails clearly (409 ALREADY_EXISTS)', async () => {
    const fake = await gke({ operationPolls: 0 });
    await client(fake).createCluster(SPEC);
    await assert.rejects(client(fake).createCluster(SPEC), isCode('DEPLOY_STEP_FAILED', /create cluster team-a-gke/));
  });

  it('401 and 403 answers are a clear credentials error', async () => {
    const wrongToken = await gke();
    await assert.rejects(
      client(wrongToken, 'expired').getCluster('my-project', 'us-central1-a', 'x'),
      isCode('DEPLOY_CREDENTIALS_MISSING', /Application Default Credentials/),
    );
    const denied = await gke({ denyWith: 403 });
    await assert.rejects(client(denied).createCluster(SPEC), isCode('DEPLOY_CREDENTIALS_MISSING', /permission denied/));
  });

  it('no Application Default Credentials is a clear credentials error before any GKE call', async () => {
    const fake = await gke();
    const saved = process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    process.env['GOOGLE_APPLICATION_CREDENTIALS'] = '/nonexistent/adc.json';
    try {
      const api = createGkeApi({ apiEndpoint: '127.0.0.1', port: fake.port, protocol: 'http' });
      await assert.rejects(
        api.getCluster('my-project', 'us-central1-a', 'x'),
        isCode('DEPLOY_CREDENTIALS_MISSING', /no Google credentials/),
      );
      assert.equal(fake.requests.length, 0);
    } finally {
      if (saved === undefined) delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
      else process.env['GOOGLE_APPLICATION_CREDENTIALS'] = saved;
    }
  });

  it('a fixed access token is used as given', async () => {
    const fake = await gke();
    assert.equal(await client(fake, 'ya29.token').accessToken(), 'ya29.token');
  });
});
