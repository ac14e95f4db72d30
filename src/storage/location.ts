import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bucketNameIssue, fuseBucketPath, splitBucketPath } from '../config/index.js';
import { storageError } from './errors.js';

/** Where a model lives: a local directory or a `gs://bucket/prefix`. */
export type StorageLocation =
  { readonly kind: 'local'; readonly path: string } | { readonly kind: 'gcs'; readonly bucket: string; readonly prefix: string };

/** Options of {@link parseStorageLocation}. */
export interface ParseLocationOptions {
  /** Whether a path is an existing directory (tests stand in for a FUSE mount). */
  readonly isDirectory?: (path: string) => boolean;
}

/**
 * Parses a local path, `file://` URL, `gs://bucket/prefix` (prefix without leading or trailing slash) or the
 * Vertex FUSE form `/gcs/bucket/prefix`, which means `gs://bucket/prefix` unless `/gcs/bucket` is mounted here:
 * a mounted bucket is read and written through the mount, as the job that mounted it expects.
 * @example parseStorageLocation('gs://my-bucket/models/t5') // { kind: 'gcs', bucket: 'my-bucket', prefix: 'models/t5' }
 */
export function parseStorageLocation(text: string, options: ParseLocationOptions = {}): StorageLocation {
  if (text.trim() === '') {
    throw storageError('STORAGE_LOCATION_INVALID', 'empty model location', {
      httpStatus: 400,
      expected: 'a local path, file:// URL or gs://bucket/prefix',
    });
  }
  const fuse = fuseBucketPath(text, options.isDirectory);
  if (text.startsWith('gs://') || fuse !== undefined) {
    const { bucket, prefix } = fuse ?? splitBucketPath(text.slice('gs://'.length));
    const issue = bucketNameIssue(bucket);
    if (issue !== undefined) {
      const taken = fuse === undefined ? 'a Cloud Storage location' : `gs://${bucket}/${prefix} (Vertex FUSE form, not mounted here)`;
      throw storageError('STORAGE_LOCATION_INVALID', `taken as ${taken}: ${issue}`, {
        httpStatus: 400,
        given: text,
        // https://cloud.google.com/storage/docs/buckets#naming
        expected: 'a bucket name of 3-63 lowercase letters, digits, "-", "_" or "." (see cloud.google.com/storage/docs/buckets#naming)',
      });
    }
    return { kind: 'gcs', bucket, prefix };
  }
  if (text.startsWith('file://')) {
    try {
      return { kind: 'local', path: fileURLToPath(text) };
    } catch (cause) {
      throw storageError('STORAGE_LOCATION_INVALID', 'not a valid file:// URL', {
        httpStatus: 400,
        given: text,
        expected: 'file:///absolute/path',
        cause,
      });
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw storageError('STORAGE_LOCATION_INVALID', 'unsupported location scheme', {
      httpStatus: 400,
      given: text,
      expected: 'a local path, file:// URL or gs://bucket/prefix',
    });
  }
  return { kind: 'local', path: resolve(text) };
}

/** Renders a location the way a user writes it. */
export function formatStorageLocation(location: StorageLocation): string {
  return location.kind === 'local' ? location.path : `gs://${location.bucket}/${location.prefix}`;
}
