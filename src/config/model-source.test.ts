import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDeploymentText } from './__fixtures__/deployment-text.js';
import { bucketNameIssue, fuseBucketPath, hubSource, modelSourceIssue } from './model-source.js';

describe('model sources', () => {
  it('applies the Cloud Storage bucket naming rules', () => {
    for (const good of ['my-bucket', 'a_b', 'abc', 'my.bucket.example', 'a'.repeat(63)])
      assert.equal(bucketNameIssue(good), undefined, good);
    for (const bad of ['b', 'ab', 'a'.repeat(64), 'UPPER', '-abc', 'abc-', '192.168.5.4', 'google-x'.replace('le-x', 'x1'), 'a b']) {
      assert.ok(bucketNameIssue(bad) !== undefined, bad);
    }
  });

  it('reads /gcs/bucket/path as gs://bucket/path unless the bucket is mounted', () => {
    assert.deepEqual(
      fuseBucketPath('/gcs/my-bucket/models/t5/', () => false),
      { bucket: 'my-bucket', prefix: 'models/t5' },
    );
    assert.equal(
      fuseBucketPath('/gcs/my-bucket/models/t5', (path) => path === '/gcs/my-bucket'),
      undefined,
    );
    assert.equal(
      fuseBucketPath('/srv/gcs/x', () => false),
      undefined,
    );
  });

  it('a bare org/name is a Hub id only when no such directory exists', () => {
    assert.equal(modelSourceIssue('google/flan-t5-base', { role: 'source', isDirectory: () => false }), undefined);
    assert.deepEqual(
      hubSource('google/flan-t5-base', () => false),
      { repo: 'google/flan-t5-base', revision: 'main' },
    );
    assert.equal(
      hubSource('google/flan-t5-base', () => true),
      undefined,
    );
    assert.equal(modelSourceIssue('google/flan-t5-base', { role: 'source', isDirectory: () => true }), undefined);
    assert.equal(modelSourceIssue('out/converted', { role: 'destination', isDirectory: () => false }), undefined);
  });

  it('hf://org/name[@revision] is a Hub source; a bad id or revision says what it was taken as', () => {
    assert.deepEqual(hubSource('hf://google/flan-t5-base@refs/pr/1'), { repo: 'google/flan-t5-base', revision: 'refs/pr/1' });
    assert.equal(modelSourceIssue('hf://google/flan-t5-base@v1.0', { role: 'source' }), undefined);
    assert.match(
      modelSourceIssue('hf://flan-t5-base', { role: 'source' }) ?? '',
      /taken as a Hugging Face Hub source: repo id "flan-t5-base"/,
    );
    assert.match(modelSourceIssue('hf://google/t5@', { role: 'source' }) ?? '', /revision "" is not/);
    assert.match(modelSourceIssue('hf://google/t5', { role: 'destination' }) ?? '', /only gs:\/\/ and file:\/\/ URLs are written/);
  });

  it('accepts Hub sources: a bare org/name with no such directory, and hf://org/name@revision named after the repo', () => {
    for (const source of ['google/flan-t5-base', 'hf://google/flan-t5-base@refs/pr/1'])
      assert.equal(loadDeploymentText(`GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=${source}\n`).settings.modelName, 'flan-t5-base');
    const { warnings } = loadDeploymentText('GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=google/flan-t5-base\n');
    assert.ok(
      warnings.some((line) => line.includes('taken as the Hugging Face Hub repo hf://google/flan-t5-base')),
      warnings.join('\n'),
    );
  });
});
