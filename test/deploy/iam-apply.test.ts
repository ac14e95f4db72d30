import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError, loadSettings, parseEnvFile } from '../../src/config/index.js';
import { createIamEditors, grantAll, prepareGrants, revokeAll, type IamEditors } from '../../src/deploy/iam/apply.js';
import { WORKLOAD_IDENTITY_USER, type IamBinding } from '../../src/deploy/iam/iam-plan.js';
import { lookupProjectNumber } from '../../src/deploy/iam/project-number.js';
import { manifestOptionsFromSettings } from '../../src/deploy/index.js';
import { startFakeGcs, type FakeGcs } from '../storage/fake-gcs-server.js';
import { FakeGoogleIam } from './fake-google-iam.js';

const member = 'principal://iam.googleapis.com/projects/9/locations/global/workloadIdentityPools/p.svc.id.goog/subject/ns/default/sa/ksa';
const account = 'llm-serving@my-project.iam.gserviceaccount.com';

function manifest(lines: readonly string[]) {
  const text = [
    'MODEL_SOURCE_PATH=gs://models-a/flan',
    'GPU_COUNT_PER_MODEL=1',
    'PROJECT_ID=my-project',
    'SERVING_BACKEND=native',
    ...lines,
  ].join('\n');
  const envFile = parseEnvFile(text, { file: 'spec.env', env: {} });
  return manifestOptionsFromSettings(loadSettings({ mode: 'deployment', env: {}, envFile }).settings, 'serving');
}

const isCode =
  (code: string) =>
  (error: unknown): error is LlmDeployError =>
    LlmDeployError.isInstance(error) && error.code === code;

describe('IAM editors against the loopback GCS and Google IAM doubles', () => {
  let gcs: FakeGcs;
  let google: FakeGoogleIam;
  let editors: IamEditors;
  before(async () => {
    gcs = await startFakeGcs();
    google = new FakeGoogleIam();
    await google.start();
    const endpoint = { apiEndpoint: '127.0.0.1', port: google.port, protocol: 'http' as const };
    editors = createIamEditors({
      token: () => Promise.resolve('test'),
      gcs: { apiEndpoint: gcs.endpoint, maxRetries: 0 },
      resourceManagerEndpoint: endpoint,
      iamEndpoint: endpoint,
    });
  });
  after(async () => {
    await gcs.close();
    await google.stop();
  });

  it('reads the project number through the official Resource Manager client with the caller token', async () => {
    assert.equal(await editors.projectNumber('my-project'), '123456789');
    assert.deepEqual(
      google.requests
        .filter((request) => request.path.startsWith('/v3/'))
        .map(({ method, path, authorization }) => ({ method, path, authorization })),
      [{ method: 'GET', path: '/v3/projects/my-project', authorization: 'Bearer test' }],
    );
  });

  it('a project the caller cannot see: an error naming the role it needs', async () => {
    const endpoint = { apiEndpoint: '127.0.0.1', port: google.port, protocol: 'http' as const };
    await assert.rejects(lookupProjectNumber('other', { token: () => Promise.resolve('test'), endpoint }), (error: unknown) => {
      assert.ok(isCode('DEPLOY_PROJECT_LOOKUP_FAILED')(error));
      assert.equal(error.httpStatus, 403);
      assert.match(String(error.expected), /roles\/browser/);
      return true;
    });
  });

  it('records only the bucket grants it added, and removes only those', async () => {
    gcs.policies.set('pre', { etag: 'CAE=', version: 3, bindings: [{ role: 'roles/storage.objectViewer', members: [member] }] });
    const bindings: IamBinding[] = [
      { on: 'bucket', resource: 'pre', role: 'roles/storage.objectViewer', member },
      { on: 'bucket', resource: 'up', role: 'roles/storage.objectUser', member },
    ];
    const added = await grantAll(editors, bindings);
    assert.deepEqual(added, [bindings[1]], 'the grant that existed before is not recorded');
    assert.deepEqual(await revokeAll(editors, added), [bindings[1]]);
    assert.deepEqual(gcs.policies.get('pre')?.bindings, [{ role: 'roles/storage.objectViewer', members: [member] }], 'kept');
    assert.deepEqual(gcs.policies.get('up')?.bindings, []);
  });

  it('a failed grant takes back the grants the same call made, and stops there', async () => {
    gcs.denyIam.add('locked');
    const before = gcs.seen.length;
    const bindings: IamBinding[] = [
      { on: 'bucket', resource: 'first', role: 'r', member },
      { on: 'bucket', resource: 'locked', role: 'r', member },
      { on: 'bucket', resource: 'next', role: 'r', member },
    ];
    await assert.rejects(grantAll(editors, bindings), isCode('STORAGE_IAM_DENIED'));
    assert.deepEqual(gcs.policies.get('first')?.bindings, [], 'taken back');
    assert.ok(
      gcs.seen.slice(before).every((request) => !request.path.includes('/b/next/')),
      'nothing after the refusal',
    );
  });

  it('binds and unbinds a member on a Google service account, keeping the other members', async () => {
    google.addAccount(account, [{ role: 'roles/iam.serviceAccountUser', members: ['user:owner@example.com'] }]);
    const binding: IamBinding = { on: 'service-account', resource: account, role: WORKLOAD_IDENTITY_USER, member: 'serviceAccount:x' };
    assert.deepEqual(await grantAll(editors, [binding]), [binding]);
    assert.deepEqual(google.accounts.get(account)?.bindings, [
      { role: 'roles/iam.serviceAccountUser', members: ['user:owner@example.com'] },
      { role: WORKLOAD_IDENTITY_USER, members: ['serviceAccount:x'] },
    ]);
    assert.deepEqual(await grantAll(editors, [binding]), [], 'already bound: nothing written, nothing recorded');
    assert.deepEqual(await revokeAll(editors, [binding]), [binding]);
    assert.deepEqual(google.accounts.get(account)?.bindings, [
      { role: 'roles/iam.serviceAccountUser', members: ['user:owner@example.com'] },
    ]);
  });

  it('sends the etag it read: a concurrent change of the account policy is refused (409) and nothing is overwritten', async () => {
    google.addAccount('raced-sa@my-project.iam.gserviceaccount.com');
    google.racing.add('raced-sa@my-project.iam.gserviceaccount.com');
    const binding: IamBinding = { on: 'service-account', resource: 'raced-sa@my-project.iam.gserviceaccount.com', role: 'r', member: 'm' };
    await assert.rejects(grantAll(editors, [binding]), (error: unknown) => isCode('DEPLOY_IAM_FAILED')(error) && /409/.test(error.message));
    assert.deepEqual(google.accounts.get('raced-sa@my-project.iam.gserviceaccount.com')?.bindings, []);
  });

  it('the planned grants are checked first: one error naming each role the caller lacks', async () => {
    gcs.denyIam.add('models-a');
    await assert.rejects(prepareGrants(editors, manifest([]), 'my-project'), (error: unknown) => {
      assert.ok(isCode('DEPLOY_IAM_DENIED')(error));
      assert.equal(error.httpStatus, 403, 'the caller lacks rights: exit 2');
      assert.match(String(error.expected), /roles\/storage\.admin on gs:\/\/models-a/);
      return true;
    });
    google.addAccount('locked-sa@my-project.iam.gserviceaccount.com');
    google.denied.add('locked-sa@my-project.iam.gserviceaccount.com');
    await assert.rejects(
      prepareGrants(editors, manifest(['GCP_SERVICE_ACCOUNT=locked-sa@my-project.iam.gserviceaccount.com']), 'my-project'),
      (error: unknown) =>
        isCode('DEPLOY_IAM_DENIED')(error) &&
        /roles\/iam\.serviceAccountAdmin on locked-sa@my-project\.iam\.gserviceaccount\.com/.test(String(error.expected)) &&
        /roles\/storage\.admin on gs:\/\/models-a/.test(String(error.expected)),
    );
    gcs.denyIam.delete('models-a');
  });

  it('GCP_SERVICE_ACCOUNT naming an account IAM does not know: a setting error naming it', async () => {
    await assert.rejects(
      prepareGrants(editors, manifest(['GCP_SERVICE_ACCOUNT=missing-sa@my-project.iam.gserviceaccount.com']), 'my-project'),
      (error: unknown) =>
        isCode('DEPLOY_SERVICE_ACCOUNT_MISSING')(error) &&
        error.httpStatus === 400 &&
        error.field === 'GCP_SERVICE_ACCOUNT' &&
        /missing-sa@my-project\.iam\.gserviceaccount\.com/.test(error.message),
    );
  });
});
