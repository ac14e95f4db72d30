import assert from 'node:assert/strict';
// skipTlsVerify: the loopback server speaks plain HTTP, which the client only allows with TLS checks off.
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { createKubeApi, kubeDeploy, kubeTeardown, manifestOptionsFromSettings, type ManifestOptions } from '../../src/deploy/index.js';
import { FakeKubeApi, type FakeKubeBehaviour } from './fake-kube-api.js';
import { gkeSpecSettings } from './gke-spec.js';

function manifest(lines: string[]): ManifestOptions {
  return manifestOptionsFromSettings(gkeSpecSettings(lines));
}

const steps: string[] = [];
const options = {
  jobTimeoutMs: 5_000,
  rolloutTimeoutMs: 1_500,
  pollMs: 20,
  retryDelayMs: 10,
  step: async <T>(title: string, work: (note: (message: string) => void) => Promise<T>): Promise<T> => {
    steps.push(title);
    return work((message) => steps.push(`  ${message}`));
  },
};

describe('deploy to Kubernetes (loopback API server)', () => {
  let fake: FakeKubeApi;
  const started: FakeKubeApi[] = [];

  async function cluster(behaviour: FakeKubeBehaviour = {}): Promise<FakeKubeApi> {
    fake = new FakeKubeApi(behaviour);
    await fake.start();
    started.push(fake);
    return fake;
  }

  beforeEach(() => {
    steps.length = 0;
  });
  afterEach(async () => {
    while (started.length > 0) await started.pop()?.stop();
  });
  after(() => undefined);

  it('applies with server-side apply, waits for the rollout and reports NodePorts and node addresses', async () => {
    await cluster({ deploymentReadyAfterPolls: 2 });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 'test-token', skipTlsVerify: true });
    const endpoints = await kubeDeploy(api, manifest([]), options);
    assert.deepEqual(endpoints.nodeAddresses, ['203.0.113.7']);
    assert.deepEqual(endpoints.nodePorts, { http: 30500, kserve: 30501 });
    const patches = fake.requests.filter((request) => request.method === 'PATCH');
    assert.deepEqual(
      patches.map((request) => request.path.split('?')[0]),
      [
        '/api/v1/namespaces/default/serviceaccounts/aiinfra-gke-sa',
        '/apis/apps/v1/namespaces/default/deployments/flan-t5-base',
        '/api/v1/namespaces/default/services/flan-t5-base',
      ],
    );
    for (const request of patches) {
      assert.equal(request.contentType, 'application/apply-patch+yaml');
      assert.match(request.path, /fieldManager=llm-deploy/);
      assert.match(request.path, /force=true/);
    }
    assert.ok(steps.some((line) => line.includes('0/1 ready')));
  });

  it('running deploy twice sends the same objects (server-side apply is idempotent)', async () => {
    await cluster();
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await kubeDeploy(api, manifest([]), options);
    const first = fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.body);
    fake.requests.length = 0;
    await kubeDeploy(api, manifest([]), options);
    const second = fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.body);
    assert.deepEqual(second, first);
  });

  it('runs the conversion Job first and waits for it', async () => {
    await cluster({ jobOutcome: 'succeed', jobPolls: 2 });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await kubeDeploy(api, manifest(['USE_FASTER_TRANSFORMER=true', 'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/ft']), options);
    const kinds = fake.requests
      .filter((request) => request.method === 'PATCH')
      .map((request) => request.path.match(/\/namespaces\/[^/]+\/([^/]+)\//)?.[1]);
    assert.deepEqual(kinds, ['serviceaccounts', 'jobs', 'deployments', 'services']);
  });

  it('stops when the Job fails and shows its logs; nothing else is applied', async () => {
    await cluster({ jobOutcome: 'fail' });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await assert.rejects(
      kubeDeploy(api, manifest(['USE_FASTER_TRANSFORMER=1', 'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/ft']), options),
      (error: unknown) => {
        assert.ok(LlmDeployError.isInstance(error));
        assert.equal(error.code, 'DEPLOY_STEP_FAILED');
        assert.match(error.message, /logs of pod flan-t5-base-convert-x7k2p/);
        assert.match(error.message, /CONVERT_TENSOR_MISSING/);
        return true;
      },
    );
    assert.equal(fake.count('PATCH', '/deployments/'), 0);
  });

  it('a rollout that never becomes ready times out naming the pod problems and events', async () => {
    await cluster({ deploymentReadyAfterPolls: Infinity });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await assert.rejects(kubeDeploy(api, manifest([]), options), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error));
      assert.equal(error.code, 'DEPLOY_TIMEOUT');
      assert.match(error.message, /ImagePullBackOff/);
      assert.match(error.message, /FailedScheduling: 0\/1 nodes are available: 1 Insufficient nvidia\.com\/gpu/);
      return true;
    });
  });

  it('a pod whose model fetch keeps failing times out naming the init container and its state', async () => {
    await cluster({ deploymentReadyAfterPolls: Infinity, initContainerFailing: true });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await assert.rejects(kubeDeploy(api, manifest(['SERVING_BACKEND=vllm']), options), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error));
      assert.equal(error.code, 'DEPLOY_TIMEOUT');
      assert.match(error.message, /fetch-model: CrashLoopBackOff \(back-off 40s restarting failed container=fetch-model\)/);
      return true;
    });
  });

  it('retries 409 and 500 answers with backoff', async () => {
    await cluster({
      failures: [
        { method: 'PATCH', pathIncludes: '/serviceaccounts/', status: 409, times: 2 },
        { method: 'PATCH', pathIncludes: '/deployments/', status: 500, times: 1 },
      ],
    });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await kubeDeploy(api, manifest([]), options);
    assert.equal(fake.count('PATCH', '/serviceaccounts/'), 3);
    assert.equal(fake.count('PATCH', '/deployments/'), 2);
    assert.ok(steps.some((line) => line.includes('HTTP 409; retrying')));
  });

  it('gives up after repeated server errors with the status in the message', async () => {
    await cluster({ failures: [{ method: 'PATCH', pathIncludes: '/serviceaccounts/', status: 503, times: 99 }] });
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await assert.rejects(kubeDeploy(api, manifest([]), options), /answered 503/);
  });

  it('teardown deletes what deploy created and tolerates what is already gone', async () => {
    await cluster();
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 't', skipTlsVerify: true });
    await kubeDeploy(api, manifest([]), options);
    const { lines, deleted } = await kubeTeardown(api, manifest([]));
    assert.equal(deleted, 3);
    assert.deepEqual(lines, [
      'Service/flan-t5-base: deleted',
      'Deployment/flan-t5-base: deleted',
      'ServiceAccount/aiinfra-gke-sa: deleted',
    ]);
    const again = await kubeTeardown(api, manifest([]));
    assert.equal(again.deleted, 0);
    assert.deepEqual(again.lines, [
      'Service/flan-t5-base: absent',
      'Deployment/flan-t5-base: absent',
      'ServiceAccount/aiinfra-gke-sa: absent',
    ]);
  });

  it('applies the API key Secret before the Deployment; teardown deletes it', async () => {
    await cluster();
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 'test-token', skipTlsVerify: true });
    const spec = manifest(['API_KEY=s3cret']);
    await kubeDeploy(api, spec, options);
    const paths = fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.path.split('?')[0]);
    const secretPath = '/api/v1/namespaces/default/secrets/flan-t5-base-secrets';
    assert.ok(
      paths.indexOf(secretPath) >= 0 &&
        paths.indexOf(secretPath) < paths.indexOf('/apis/apps/v1/namespaces/default/deployments/flan-t5-base'),
    );
    const stored = fake.objects.get(secretPath)?.['data'] as Record<string, string> | undefined;
    assert.equal(Buffer.from(stored?.['API_KEY'] ?? '', 'base64').toString('utf8'), 's3cret');
    const { lines } = await kubeTeardown(api, spec);
    assert.ok(lines.includes('Secret/flan-t5-base-secrets: deleted'), lines.join('\n'));
    assert.equal(fake.objects.has(secretPath), false);
  });

  it('the loopback API refuses what the real one refuses in a Secret: data that is not base64, an invalid name', async () => {
    await cluster();
    const api = createKubeApi({ kind: 'endpoint', server: fake.url, token: 'test-token', skipTlsVerify: true });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flan-secrets', namespace: 'default' },
      data: { API_KEY: 'not base64!' },
    };
    await assert.rejects(api.apply(secret), /422/);
    await assert.rejects(api.apply({ ...secret, metadata: { name: 'Flan_Secrets', namespace: 'default' }, data: {} }), /422/);
    await api.apply({ ...secret, data: { API_KEY: Buffer.from('ok').toString('base64') } });
  });

  it('no kubeconfig is a clear credentials error', () => {
    assert.throws(
      () => createKubeApi({ kind: 'kubeconfig', path: '/nonexistent/kubeconfig' }),
      (error: unknown) =>
        LlmDeployError.isInstance(error) && error.code === 'DEPLOY_CREDENTIALS_MISSING' && /kubeconfig/.test(error.message),
    );
  });
});
