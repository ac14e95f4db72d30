import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { BUCKET_IAM_ROLE, createBucketIam } from '../../src/storage/index.js';
import { startFakeGcs, type FakeGcs } from './fake-gcs-server.js';

const member = 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p.svc.id.goog/subject/ns/default/sa/ksa';
const viewer = 'roles/storage.objectViewer';

describe('bucket IAM through the official client against the loopback GCS', () => {
  let fake: FakeGcs;
  before(async () => {
    fake = await startFakeGcs();
  });
  after(() => fake.close());
  const iam = () => createBucketIam({ apiEndpoint: fake.endpoint, maxRetries: 0 });

  it('adds the member next to existing bindings, with policy version 3, and removes only it', async () => {
    fake.policies.set('models', { etag: 'CAE=', version: 1, bindings: [{ role: viewer, members: ['user:owner@example.com'] }] });
    assert.equal(await iam().add({ bucket: 'models', role: viewer, member }), true);
    assert.deepEqual(fake.policies.get('models')?.bindings, [{ role: viewer, members: ['user:owner@example.com', member] }]);
    assert.equal(fake.policies.get('models')?.version, 3);
    assert.equal(await iam().add({ bucket: 'models', role: viewer, member }), false, 'already granted: nothing written');
    assert.equal(await iam().remove({ bucket: 'models', role: viewer, member }), true);
    assert.deepEqual(fake.policies.get('models')?.bindings, [{ role: viewer, members: ['user:owner@example.com'] }]);
    assert.equal(await iam().remove({ bucket: 'models', role: viewer, member }), false);
  });

  it('sends the etag it read, so a concurrent change is refused (412) and nothing is overwritten', async () => {
    fake.policies.set('raced', { etag: 'CAE=', version: 1, bindings: [] });
    fake.racePolicies.add('raced');
    await assert.rejects(iam().add({ bucket: 'raced', role: viewer, member }), (error: unknown) => {
      assert.ok(error instanceof LlmDeployError);
      assert.equal(error.code, 'STORAGE_IAM_FAILED');
      return true;
    });
    assert.deepEqual(fake.policies.get('raced')?.bindings, []);
  });

  it('a caller without IAM permission gets one error naming the role it needs', async () => {
    fake.denyIam.add('locked');
    await assert.rejects(iam().add({ bucket: 'locked', role: viewer, member }), (error: unknown) => {
      assert.ok(error instanceof LlmDeployError);
      assert.equal(error.code, 'STORAGE_IAM_DENIED');
      assert.match(String(error.expected), new RegExp(BUCKET_IAM_ROLE.replace('.', '\\.')));
      return true;
    });
  });
});
