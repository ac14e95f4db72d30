import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketNameIssue, fuseBucketPath, modelSourceIssue } from './model-source.js';

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
    assert.match(modelSourceIssue('google/flan-t5-base', { role: 'source', isDirectory: () => false }) ?? '', /Hugging Face Hub id/);
    assert.equal(modelSourceIssue('google/flan-t5-base', { role: 'source', isDirectory: () => true }), undefined);
    assert.equal(modelSourceIssue('out/converted', { role: 'destination', isDirectory: () => false }), undefined);
  });
});
