import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings, parseEnvFile } from '../../config/index.js';
import { manifestOptionsFromSettings, type ManifestOptions } from '../manifests/options.js';
import {
  describeBindings,
  mergeBindings,
  OBJECT_USER,
  OBJECT_VIEWER,
  plannedBindings,
  PROJECT_NUMBER_PLACEHOLDER,
  recordedBindings,
  WORKLOAD_IDENTITY_USER,
} from './iam-plan.js';

function manifest(over: { modelSource?: string; fasterTransformer?: { convertedPath: string }; account?: string }): ManifestOptions {
  const lines = [
    `MODEL_SOURCE_PATH=${over.modelSource ?? 'gs://models-a/flan'}`,
    'GPU_COUNT_PER_MODEL=1',
    'PROJECT_ID=my-project',
    'KSA_NAME=llm-ksa',
  ];
  if (over.account !== undefined) lines.push(`GCP_SERVICE_ACCOUNT=${over.account}`);
  if (over.fasterTransformer !== undefined)
    lines.push('USE_FASTER_TRANSFORMER=true', `CONVERTED_MODEL_UPLOAD_PATH=${over.fasterTransformer.convertedPath}`);
  else lines.push('SERVING_BACKEND=native');
  const envFile = parseEnvFile(lines.join('\n'), { file: 'spec.env', env: {} });
  return manifestOptionsFromSettings(loadSettings({ mode: 'deployment', env: {}, envFile }).settings, 'serving');
}

const principal =
  'principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/serving/sa/llm-ksa';

describe('plannedBindings', () => {
  it('grants objectViewer on the model bucket to the Workload Identity principal of the KSA', () => {
    assert.deepEqual(plannedBindings(manifest({}), 'my-project', '123456'), [
      { on: 'bucket', resource: 'models-a', role: OBJECT_VIEWER, member: principal },
    ]);
  });

  it('adds objectUser on the upload bucket in FasterTransformer mode', () => {
    const bindings = plannedBindings(manifest({ fasterTransformer: { convertedPath: 'gs://converted-b/ft' } }), 'my-project', '123456');
    assert.deepEqual(bindings, [
      { on: 'bucket', resource: 'models-a', role: OBJECT_VIEWER, member: principal },
      { on: 'bucket', resource: 'converted-b', role: OBJECT_USER, member: principal },
    ]);
  });

  it('makes one objectUser grant when both paths share a bucket', () => {
    const bindings = plannedBindings(manifest({ fasterTransformer: { convertedPath: 'gs://models-a/ft' } }), 'my-project', '1');
    assert.deepEqual(
      bindings.map((binding) => binding.role),
      [OBJECT_USER],
    );
  });

  it('needs no grant for a local model', () => {
    assert.deepEqual(plannedBindings(manifest({ modelSource: '/models/flan' }), 'p', '1'), []);
  });

  it('describes every change with role, member and bucket', () => {
    const text = describeBindings(plannedBindings(manifest({}), 'my-project', PROJECT_NUMBER_PLACEHOLDER));
    assert.match(
      text,
      /grant roles\/storage\.objectViewer on gs:\/\/models-a to principal:\/\/iam\.googleapis\.com\/projects\/PROJECT_NUMBER\//,
    );
    assert.match(text, /looked up from PROJECT_ID/);
  });

  it('with GCP_SERVICE_ACCOUNT: workloadIdentityUser for the KSA on that account, the bucket roles to the account', () => {
    const account = 'llm-serving@my-project.iam.gserviceaccount.com';
    const bindings = plannedBindings(manifest({ account }), 'my-project', PROJECT_NUMBER_PLACEHOLDER);
    assert.deepEqual(bindings, [
      {
        on: 'service-account',
        resource: account,
        role: WORKLOAD_IDENTITY_USER,
        member: 'serviceAccount:my-project.svc.id.goog[serving/llm-ksa]',
      },
      { on: 'bucket', resource: 'models-a', role: OBJECT_VIEWER, member: `serviceAccount:${account}` },
    ]);
    const text = describeBindings(bindings);
    assert.match(
      text,
      /grant roles\/iam\.workloadIdentityUser on service account llm-serving@my-project\.iam\.gserviceaccount\.com to serviceAccount:my-project\.svc\.id\.goog\[serving\/llm-ksa\]/,
    );
    assert.match(text, /grant roles\/storage\.objectViewer on gs:\/\/models-a to serviceAccount:llm-serving@/);
    assert.doesNotMatch(text, /PROJECT_NUMBER/, 'no project number needed');
  });
});

describe('the record of added bindings on the KSA', () => {
  const one = { on: 'bucket', resource: 'b', role: OBJECT_VIEWER, member: 'm' } as const;
  it('reads what deploy wrote, none when absent, and refuses anything else', () => {
    assert.deepEqual(recordedBindings(JSON.stringify([one]), 'ksa'), [one]);
    assert.deepEqual(recordedBindings(undefined, 'ksa'), []);
    for (const bad of ['{', '[{"on":"project","resource":"p","role":"r","member":"m"}]', '{}'])
      assert.throws(() => recordedBindings(bad, 'ksa'), /DEPLOY_IAM_RECORD_INVALID|not what deploy wrote/);
  });
  it('a later deploy adds to the record without repeating a binding', () => {
    const two = { ...one, resource: 'c' };
    assert.deepEqual(mergeBindings([one], [one, two]), [one, two]);
  });
});
