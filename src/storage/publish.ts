import { cp, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { storageError } from './errors.js';
import type { GcsClient } from './gcs.js';
import { formatStorageLocation, parseStorageLocation } from './location.js';
import { COMPLETION_MARKER, hasCompletionMarker, writeCompletionMarker } from './marker.js';
import { runPool } from './pool.js';
import { throttleProgress, type ProgressListener } from './progress.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { listLocalFiles, type LocalFile } from './walk.js';

/** Options of {@link publishDirectory}. */
export interface PublishOptions {
  /** Needed for `gs://` destinations. */
  readonly client?: GcsClient;
  /** Replace a destination that already holds files (otherwise that is an error). */
  readonly force?: boolean;
  readonly onProgress?: ProgressListener;
  /** Parallel uploads (default 8). */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** Files at least this large go through a resumable session (default 8 MiB). */
  readonly resumableThresholdBytes?: number;
  /** Request size of resumable uploads (default 16 MiB; a multiple of 256 KiB): the most a cut connection re-sends. */
  readonly chunkBytes?: number;
}

/**
 * Copies a finished local directory to a local path, `file://` URL or `gs://bucket/prefix`.
 * Completion markers go last (deepest first); one is added at the destination root if absent.
 * @example await publishDirectory('/tmp/t5-ft', 'gs://models/t5-ft', { client })
 */
export async function publishDirectory(localDir: string, destination: string, options: PublishOptions = {}): Promise<void> {
  const location = parseStorageLocation(destination);
  if (location.kind === 'local') {
    await publishLocal(localDir, location.path, options.force ?? false);
    return;
  }
  if (options.client === undefined) {
    throw storageError('STORAGE_LOCATION_INVALID', 'a gs:// destination needs a Cloud Storage client', {
      given: destination,
    });
  }
  await publishGcs(localDir, { bucket: location.bucket, prefix: location.prefix, client: options.client }, options);
}

async function publishLocal(localDir: string, target: string, force: boolean): Promise<void> {
  await refuseNonEmptyLocal(target, force);
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await cp(localDir, staging, { recursive: true, filter: (source) => basename(source) !== COMPLETION_MARKER });
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (cause) {
    await rm(staging, { recursive: true, force: true });
    throw storageError('STORAGE_LOCAL_IO', 'copying the directory failed', { file: target, cause });
  }
  for (const marker of await markersDeepestFirst(localDir)) {
    await cp(marker.absolutePath, join(target, ...marker.relativePath.split('/')));
  }
  if (!(await hasCompletionMarker(target))) await writeCompletionMarker(target, 'llm-deploy publish');
}

/** Throws unless `target` is absent, empty, or `force` is set. */
export async function refuseNonEmptyLocal(target: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch {
    return;
  }
  if (entries.length > 0 && !force) {
    throw storageError('STORAGE_LOCATION_INVALID', 'destination is not empty', {
      file: target,
      httpStatus: 400,
      expected: 'an empty or new directory, or --force to replace it',
    });
  }
}

interface GcsTarget {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: GcsClient;
}

async function publishGcs(localDir: string, target: GcsTarget, options: PublishOptions): Promise<void> {
  const { bucket, prefix, client } = target;
  const where = formatStorageLocation({ kind: 'gcs', bucket, prefix });
  const objectName = (relative: string): string => (prefix === '' ? relative : `${prefix}/${relative}`);
  const existing = await client.list(bucket, prefix === '' ? '' : `${prefix}/`);
  if (existing.length > 0 && options.force !== true) {
    throw storageError('STORAGE_LOCATION_INVALID', 'destination already holds objects', {
      file: where,
      httpStatus: 400,
      expected: 'an empty prefix, or --force to replace it',
    });
  }
  // Old markers go first so a half-replaced prefix never looks complete.
  const oldFirst = [...existing].sort(
    (a, b) => Number(basename(b.name) === COMPLETION_MARKER) - Number(basename(a.name) === COMPLETION_MARKER),
  );
  for (const object of oldFirst) await client.remove({ bucket, name: object.name });
  const files = await listLocalFiles(localDir);
  const payload = files.filter((file) => basename(file.relativePath) !== COMPLETION_MARKER);
  const retry = options.retry ?? { attempts: 3, initialDelayMs: 1000 };
  const threshold = options.resumableThresholdBytes ?? 8 * 1024 * 1024;
  const send = async (file: LocalFile): Promise<void> => {
    const report = throttleProgress(options.onProgress);
    await withRetries(
      () =>
        client.upload({ bucket, name: objectName(file.relativePath) }, file.absolutePath, {
          resumable: file.sizeBytes >= threshold,
          chunkBytes: options.chunkBytes ?? 16 * 1024 * 1024,
          onBytes: (bytes) => report({ direction: 'upload', file: file.relativePath, bytesDone: bytes, bytesTotal: file.sizeBytes }),
        }),
      retry,
    );
    report({ direction: 'upload', file: file.relativePath, bytesDone: file.sizeBytes, bytesTotal: file.sizeBytes });
  };
  await runPool(payload, options.concurrency ?? 8, send);
  const markers = await markersDeepestFirst(localDir);
  for (const marker of markers) await send(marker);
  if (!markers.some((marker) => marker.relativePath === COMPLETION_MARKER)) {
    const staging = await mkdtemp(join(tmpdir(), 'llm-deploy-marker-'));
    try {
      await writeCompletionMarker(staging, 'llm-deploy publish');
      const absolutePath = join(staging, COMPLETION_MARKER);
      await send({ relativePath: COMPLETION_MARKER, absolutePath, sizeBytes: (await stat(absolutePath)).size });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

async function markersDeepestFirst(localDir: string): Promise<LocalFile[]> {
  const depth = (file: LocalFile): number => file.relativePath.split('/').length;
  return (await listLocalFiles(localDir))
    .filter((file) => basename(file.relativePath) === COMPLETION_MARKER)
    .sort((a, b) => depth(b) - depth(a));
}
