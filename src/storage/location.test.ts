import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatStorageLocation, parseStorageLocation } from './location.js';

describe('parseStorageLocation', () => {
  it('tells local paths, file:// URLs and gs:// prefixes apart', () => {
    assert.deepEqual(parseStorageLocation('gs://my-bucket/models/t5/'), { kind: 'gcs', bucket: 'my-bucket', prefix: 'models/t5' });
    assert.deepEqual(parseStorageLocation('gs://my-bucket'), { kind: 'gcs', bucket: 'my-bucket', prefix: '' });
    assert.deepEqual(parseStorageLocation('file:///srv/models/t5'), { kind: 'local', path: '/srv/models/t5' });
    assert.deepEqual(parseStorageLocation('models/t5'), { kind: 'local', path: resolve('models/t5') });
    assert.equal(formatStorageLocation({ kind: 'gcs', bucket: 'b-1', prefix: 'x' }), 'gs://b-1/x');
  });

  it('refuses what it cannot reach', () => {
    for (const text of ['', 'gs://UPPER/x', 'gs://', 's3://bucket/x', 'https://example.com/m']) {
      assert.throws(() => parseStorageLocation(text), { code: 'STORAGE_LOCATION_INVALID' }, text);
    }
  });

  it('reads the Vertex FUSE form /gcs/bucket/path as gs:// unless the bucket is mounted', () => {
    const unmounted = { isDirectory: () => false };
    assert.deepEqual(parseStorageLocation('/gcs/my-bucket/models/t5', unmounted), {
      kind: 'gcs',
      bucket: 'my-bucket',
      prefix: 'models/t5',
    });
    const mounted = { isDirectory: (path: string) => path === '/gcs/my-bucket' };
    assert.deepEqual(parseStorageLocation('/gcs/my-bucket/models/t5', mounted), { kind: 'local', path: '/gcs/my-bucket/models/t5' });
  });

  it('says why a bucket name is refused', () => {
    assert.throws(
      () => parseStorageLocation('gs://b/model'),
      (error: Error) => /bucket name "b" has 1 character/.test(error.message),
    );
    assert.throws(
      () => parseStorageLocation('/gcs/B/model', { isDirectory: () => false }),
      (error: Error) => error.message.includes('taken as gs://B/model'),
    );
  });
});
