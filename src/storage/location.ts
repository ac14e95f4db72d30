import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storageError } from './errors.js';

/** Where a model lives: a local directory or a `gs://bucket/prefix`. */
export type StorageLocation =
  { readonly kind: 'local'; readonly path: string } | { readonly kind: 'gcs'; readonly bucket: string; readonly prefix: string };

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/**
 * Parses a local path, `file://` URL or `gs://bucket/prefix` (prefix without leading or trailing slash).
 * @example parseStorageLocation('gs://my-bucket/models/t5') // { kind: 'gcs', bucket: 'my-bucket', prefix: 'models/t5' }
 */
export function parseStorageLocation(text: string): StorageLocation {
  if (text.trim() === '') {
    throw storageError('STORAGE_LOCATION_INVALID', 'empty model location', {
      httpStatus: 400,
      expected: 'a local path, file:// URL or gs://bucket/prefix',
    });
  }
  if (text.startsWith('gs://')) {
    const rest = text.slice('gs://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!BUCKET_NAME.test(bucket)) {
      throw storageError('STORAGE_LOCATION_INVALID', 'not a valid bucket name', {
        httpStatus: 400,
        given: text,
        expected: 'gs://bucket/prefix with a lowercase bucket name of 3-222 characters',
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
