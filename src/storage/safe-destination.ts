import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { storageError } from './errors.js';

/** Longest object name Cloud Storage stores, in UTF-8 bytes (https://cloud.google.com/storage/docs/naming-objects). */
export const OBJECT_NAME_MAX_BYTES = 1024;

/** Longest file or folder name Linux filesystems create (NAME_MAX); a longer component cannot be written. */
export const PATH_COMPONENT_MAX_BYTES = 255;

/** What {@link safeDestination} needs to know about the object it places. */
export interface SafeDestinationOptions {
  /** The object as users name it, e.g. `gs://bucket/models/t5/config.json`; errors quote it. */
  readonly source: string;
}

const EXPECTED =
  'a relative name of /-separated segments, none empty, "." or "..", without backslashes or NUL, ' +
  `each segment at most ${PATH_COMPONENT_MAX_BYTES} bytes and the name at most ${OBJECT_NAME_MAX_BYTES} bytes`;

/**
 * The local path an object (or Hub file) named `relativeName` is written to inside `stagingDir`,
 * or STORAGE_OBJECT_NAME_UNSAFE when that name could write anywhere else. Every download path
 * (gs:// for serve/convert/fetch, Hugging Face Hub files) places each file through this one function,
 * and checks its whole listing before writing anything.
 *
 * Cloud Storage accepts `m/../../x`, `a//b`, backslashes and NUL in names (it refuses only `.` and `..`
 * as whole names, CR/LF and names over 1024 bytes: https://cloud.google.com/storage/docs/naming-objects),
 * so a bucket writer controls these names. Empty, `.` and `..` segments are refused rather than collapsed:
 * collapsed, two objects could land on one file, and the file tree would not mirror the bucket.
 * @example safeDestination('/cache/x.partial-1-ab12', 'sub/weights.bin', { source: 'gs://b/m/sub/weights.bin' })
 */
export function safeDestination(stagingDir: string, relativeName: string, options: SafeDestinationOptions): string {
  const refuse = (summary: string): never => {
    throw storageError('STORAGE_OBJECT_NAME_UNSAFE', summary, {
      file: options.source,
      httpStatus: 422,
      given: JSON.stringify(relativeName.length > 200 ? `${relativeName.slice(0, 200)}...` : relativeName),
      expected: EXPECTED,
    });
  };
  if (relativeName === '') refuse('object name is empty below the prefix');
  if (relativeName.includes('\0')) refuse('object name contains NUL');
  if (relativeName.includes('\\')) refuse('object name contains a backslash');
  if (relativeName.startsWith('/') || isAbsolute(relativeName)) refuse('object name is absolute below the prefix');
  if (Buffer.byteLength(relativeName, 'utf8') > OBJECT_NAME_MAX_BYTES) refuse('object name is too long');
  const segments = relativeName.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') refuse('object name has an empty, "." or ".." segment');
    if (Buffer.byteLength(segment, 'utf8') > PATH_COMPONENT_MAX_BYTES) refuse('object name has a segment too long for a file name');
  }
  const root = resolve(stagingDir);
  const target = resolve(join(root, ...segments));
  const inside = relative(root, target);
  // Belt and braces: the segment rules above already keep the target inside.
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    refuse('object name resolves outside the download folder');
  }
  return target;
}
