import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import type { DeployTarget } from '../../src/deploy/index.js';
import type { FakeGcs } from '../storage/fake-gcs-server.js';
import { kubeconfigYaml, type FakeKubeApi } from './fake-kube-api.js';
import { startGkeWorld, type GkeWorld } from './gke-world.js';

const PRINCIPAL =
  'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/default/sa/aiinfra-gke-sa';
const ACCOUNT = 'llm-serving@my-project.iam.gserviceaccount.com';
const KSA_MEMBER = 'serviceAccount:my-project.svc.id.goog[default/aiinfra-gke-sa]';
const KSA_PATH = '/api/v1/namespaces/default/serviceaccounts/aiinfra-gke-sa';
const VIEWER = 'roles/storage.objectViewer';
const USER = 'roles/storage.objectUser';

describe('Workload Identity on the gke target: the IAM calls deploy and teardown make (loopback GKE, Kubernetes, GCS, IAM)', () => {
  const running: GkeWorld[] = [];
  afterEach(async () => {
    while (running.length > 0) await running.pop()?.stop();
  });
  async function world(): Promise<GkeWorld> {
    const started = await startGkeWorld();
    running.push(started);
    return started;
  }

  const deploy = (target: DeployTarget, lines: string[] = []) =>
    target.deploy({ readyTimeoutMs: 5_000, jobTimeoutMs: 5_000, write: (line) => lines.push(line) });
  const teardown = (target: DeployTarget, lines: string[] = []) =>
    target.teardown({ confirmClusterDeletion: () => Promise.resolve(true), write: (line) => lines.push(line) });
  const annotations = (kube: FakeKubeApi) => {
    const metadata = kube.objects.get(KSA_PATH)?.['metadata'];
    return (typeof metadata === 'object' && metadata !== null && 'annotations' in metadata ? metadata.annotations : {}) as Record<
      string,
      string
    >;
  };
  const members = (gcs: FakeGcs, bucket: string, role: string) =>
    gcs.policies.get(bucket)?.bindings.find((b) => b.role === role)?.members ?? [];

  it('default: objectViewer on the model bucket for the KSA principal (project number looked up), recorded on the KSA, removed by teardown', async () => {
    const { kube, gcs, google, target } = await world();
    const spec = target();
    const lines: string[] = [];
    await deploy(spec, lines);
    assert.equal(google.count('GET', '/v3/projects/my-project'), 1, 'the project number from Resource Manager');
    assert.deepEqual(members(gcs, 'my-bucket', VIEWER), [PRINCIPAL]);
    const testCall = gcs.seen.findIndex((request) => request.path.endsWith('/iam/testPermissions'));
    const firstWrite = gcs.seen.findIndex((request) => request.method === 'PUT');
    assert.ok(testCall !== -1 && testCall < firstWrite, 'permissions tested before any policy is written');
    const record = annotations(kube);
    assert.equal(record['iam.gke.io/gcp-service-account'], undefined, 'direct grants: no Google service account');
    assert.deepEqual(JSON.parse(record['llm-deploy.dev/iam-bindings'] ?? 'null'), [
      { on: 'bucket', resource: 'my-bucket', role: VIEWER, member: PRINCIPAL },
    ]);
    assert.ok(lines.some((line) => line.includes(`granted: ${VIEWER} on gs://my-bucket for ${PRINCIPAL}`)));
    const down: string[] = [];
    await teardown(spec, down);
    assert.deepEqual(members(gcs, 'my-bucket', VIEWER), [], 'the grant deploy added is gone');
    assert.ok(down.includes(`iam: revoked: ${VIEWER} on gs://my-bucket for ${PRINCIPAL}`));
  });

  it('a binding that was there before deploy stays after teardown; a second deploy keeps the record of the first', async () => {
    const { gcs, target } = await world();
    gcs.policies.set('my-bucket', {
      etag: 'CAE=',
      version: 3,
      bindings: [{ role: VIEWER, members: ['user:owner@example.com', PRINCIPAL] }],
    });
    const spec = target(['USE_FASTER_TRANSFORMER=true', 'CONVERTED_MODEL_UPLOAD_PATH=gs://converted-b/ft', 'POD_MEMORY_LIMIT=8Gi']);
    const lines: string[] = [];
    await deploy(spec, lines);
    assert.ok(lines.some((line) => line.includes(`already granted before deploy (kept on teardown): ${VIEWER} on gs://my-bucket`)));
    assert.deepEqual(members(gcs, 'converted-b', USER), [PRINCIPAL], 'the conversion may write the upload bucket');
    await deploy(spec, []);
    await teardown(spec);
    assert.deepEqual(members(gcs, 'my-bucket', VIEWER), ['user:owner@example.com', PRINCIPAL], 'not ours: kept');
    assert.deepEqual(members(gcs, 'converted-b', USER), [], 'ours (first deploy): removed');
  });

  it('a deploy through --kubeconfig to the same cluster keeps the record, so teardown on GKE still removes the grants', async () => {
    const { kube, gcs, target } = await world();
    await deploy(target());
    const work = await mkdtemp(join(tmpdir(), 'llm-deploy-iam-'));
    try {
      const kubeconfig = join(work, 'kubeconfig.yaml');
      await writeFile(kubeconfig, kubeconfigYaml(kube.url, 'test'));
      await deploy(target([], { kubeconfig }));
      assert.ok(annotations(kube)['llm-deploy.dev/iam-bindings']?.includes('my-bucket'), 'the record survives the re-apply');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    await teardown(target());
    assert.deepEqual(members(gcs, 'my-bucket', VIEWER), []);
  });

  it('a caller who may not set bucket IAM: one error naming roles/storage.admin, before any GKE or Kubernetes call', async () => {
    const { kube, gke, gcs, target } = await world();
    gcs.denyIam.add('my-bucket');
    await assert.rejects(deploy(target()), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error) && error.code === 'DEPLOY_IAM_DENIED');
      assert.equal(error.httpStatus, 403, 'exit 2');
      assert.match(error.message, /roles\/storage\.admin on gs:\/\/my-bucket/);
      return true;
    });
    assert.equal(gke.requests.length, 0, 'no cluster looked up or created');
    assert.equal(kube.requests.length, 0);
    assert.equal(gcs.policies.size, 0, 'nothing granted');
  });

  it('GCP_SERVICE_ACCOUNT: workloadIdentityUser for the KSA on the account, bucket roles to the account, KSA annotated; teardown removes both', async () => {
    const { kube, gcs, google, target } = await world();
    google.addAccount(ACCOUNT, [{ role: 'roles/iam.serviceAccountUser', members: ['user:owner@example.com'] }]);
    const spec = target([`GCP_SERVICE_ACCOUNT=${ACCOUNT}`]);
    await deploy(spec);
    assert.equal(google.count('GET', '/v3/projects/'), 0, 'no project number needed');
    assert.equal(google.count('POST', `${ACCOUNT}:testIamPermissions`), 1);
    assert.deepEqual(google.accounts.get(ACCOUNT)?.bindings, [
      { role: 'roles/iam.serviceAccountUser', members: ['user:owner@example.com'] },
      { role: 'roles/iam.workloadIdentityUser', members: [KSA_MEMBER] },
    ]);
    assert.deepEqual(members(gcs, 'my-bucket', VIEWER), [`serviceAccount:${ACCOUNT}`]);
    assert.equal(annotations(kube)['iam.gke.io/gcp-service-account'], ACCOUNT);
    await teardown(spec);
    assert.deepEqual(google.accounts.get(ACCOUNT)?.bindings, [
      { role: 'roles/iam.serviceAccountUser', members: ['user:owner@example.com'] },
    ]);
    assert.deepEqual(members(gcs, 'my-bucket', VIEWER), []);
  });

  it('GCP_SERVICE_ACCOUNT naming no account: an error naming it (exit 2), nothing created', async () => {
    const { kube, gke, gcs, target } = await world();
    await assert.rejects(deploy(target([`GCP_SERVICE_ACCOUNT=${ACCOUNT}`])), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error) && error.code === 'DEPLOY_SERVICE_ACCOUNT_MISSING');
      assert.equal(error.httpStatus, 400);
      assert.match(error.message, new RegExp(ACCOUNT.replace(/\./g, '\\.')));
      return true;
    });
    assert.equal(gke.requests.length + kube.requests.length, 0);
    assert.equal(gcs.seen.length, 0);
  });

  it('the dry run prints role, member and resource of every IAM change, in both modes, and calls nothing', async () => {
    const { gke, gcs, google, target } = await world();
    const direct = target().dryRun();
    assert.match(
      direct,
      /grant roles\/storage\.objectViewer on gs:\/\/my-bucket to principal:\/\/iam\.googleapis\.com\/projects\/PROJECT_NUMBER\/.*\/ns\/default\/sa\/aiinfra-gke-sa/,
    );
    const viaAccount = target([`GCP_SERVICE_ACCOUNT=${ACCOUNT}`]).dryRun();
    assert.ok(viaAccount.includes(`grant roles/iam.workloadIdentityUser on service account ${ACCOUNT} to ${KSA_MEMBER}`));
    assert.ok(viaAccount.includes(`grant roles/storage.objectViewer on gs://my-bucket to serviceAccount:${ACCOUNT}`));
    assert.equal(gke.requests.length + gcs.seen.length + google.requests.length, 0);
  });
});
