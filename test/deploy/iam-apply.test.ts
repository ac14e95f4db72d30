import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grantAll, revokeAll } from '../../src/deploy/iam/apply.js';
import { createBucketIam } from '../../src/storage/index.js';
import { startFakeGcs, type FakeGcs } from '../storage/fake-gcs-server.js';

const member = 'principal://iam.googleapis.com/projects/9/locations/global/workloadIdentityPools/p.svc.id.goog/subject/ns/default/sa/ksa';

describe('grantAll / revokeAll against the loopback GCS', () => {
  let fake: FakeGcs;
  before(async () => {
    fake = await startFakeGcs();
  });
  after(() => fake.close());

  it('records only the grants it added, and teardown removes only those', async () => {
    const iam = createBucketIam({ apiEndpoint: fake.endpoint, maxRetries: 0 });
    fake.policies.set('pre', { etag: 'CAE=', version: 3, bindings: [{ role: 'roles/storage.objectViewer', members: [member] }] });
    const bindings = [
      { bucket: 'pre', role: 'roles/storage.objectViewer', member },
      { bucket: 'up', role: 'roles/storage.objectUser', member },
    ];
    const added = await grantAll(iam, bindings);
    assert.deepEqual(added, [bindings[1]], 'the grant that existed before is not recorded');
    assert.equal(await revokeAll(iam, added), 1);
    assert.deepEqual(fake.policies.get('pre')?.bindings, [{ role: 'roles/storage.objectViewer', members: [member] }], 'kept');
    assert.deepEqual(fake.policies.get('up')?.bindings, []);
  });

  it('stops at the first refused grant', async () => {
    const iam = createBucketIam({ apiEndpoint: fake.endpoint, maxRetries: 0 });
    fake.denyIam.add('locked');
    const before = fake.seen.length;
    await assert.rejects(
      grantAll(iam, [
        { bucket: 'locked', role: 'r', member },
        { bucket: 'next', role: 'r', member },
      ]),
      /not allowed/,
    );
    assert.ok(
      fake.seen.slice(before).every((request) => request.path.includes('/b/locked/')),
      'nothing after the refusal',
    );
  });
});
