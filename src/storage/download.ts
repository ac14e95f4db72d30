import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { storageError } from './errors.js';
import type { GcsClient, GcsObject } from './gcs.js';
import { COMPLETION_MARKER, PRODUCER_MANIFEST } from './marker.js';
import { runPool } from './pool.js';
import { throttleProgress, type ProgressListener } from './progress.js';
import { withRetries, type RetryPolicy } from './retry.js';

/** Options of {@link downloadPrefix}. */
export interface DownloadOptions {
  readonly client: GcsClient;
  /** Root of the download cache; each bucket prefix gets its own folder inside. */
  readonly cacheDir: string;
  readonly onProgress?: ProgressListener;
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
}

/** Written last into a cache folder: the listing it was downloaded from. */
export const CACHE_RECORD = '.llm-deploy-cache.json';

const CacheRecord = z.object({
  objects: z.array(
    z.object({
      name: z.string(),
      sizeBytes: z.number(),
      md5Hash: z.string().optional(),
      crc32c: z.string().optional(),
      generation: z.string().optional(),
    }),
  ),
});

/**
 * Downloads every object under `gs://bucket/prefix/` into the cache and returns that folder.
 * A folder whose record matches the current listing is reused; otherwise it is rebuilt in a
 * temporary sibling and renamed into place, so a failed download never looks complete.
 */
export async function downloadPrefix(bucket: string, prefix: string, options: DownloadOptions): Promise<string> {
  const where = `gs://${bucket}/${prefix}`;
  const listPrefix = prefix === '' ? '' : `${prefix}/`;
  const objects = (await options.client.list(bucket, listPrefix)).filter((object) => !object.name.endsWith('/'));
  if (objects.length === 0) {
    throw storageError('STORAGE_NOT_FOUND', 'no objects under this location', { file: where, httpStatus: 404 });
  }
  const relativeNames = objects.map((object) => object.name.slice(listPrefix.length));
  refuseUnfinished(relativeNames, where);
  const target = cacheFolder(options.cacheDir, bucket, prefix);
  if (await cacheMatches(target, objects)) return target;
  const staging = `${target}.partial-${process.pid}-${Date.now()}`;
  try {
    await fetchAll({ bucket, listPrefix, staging }, objects, options);
    await writeFile(join(staging, CACHE_RECORD), JSON.stringify({ objects }));
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** A prefix llm-deploy wrote (producer manifest present) must also hold the completion marker. */
function refuseUnfinished(relativeNames: readonly string[], where: string): void {
  const base = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
  const produced = relativeNames.some((name) => base(name) === PRODUCER_MANIFEST);
  const complete = relativeNames.some((name) => base(name) === COMPLETION_MARKER);
  if (produced && !complete) {
    throw storageError('STORAGE_INCOMPLETE', 'this location was written by llm-deploy but never finished', {
      file: where,
      httpStatus: 409,
      expected: `${COMPLETION_MARKER} (written last by convert/upload); rerun the conversion or upload`,
    });
  }
}

function cacheFolder(cacheDir: string, bucket: string, prefix: string): string {
  const readable = prefix === '' ? '_root' : prefix.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const digest = createHash('sha256').update(`${bucket}/${prefix}`).digest('hex').slice(0, 12);
  return join(cacheDir, 'gcs', bucket, `${readable}-${digest}`);
}

async function cacheMatches(target: string, objects: readonly GcsObject[]): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(target, CACHE_RECORD), 'utf8');
  } catch {
    return false;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  const record = CacheRecord.safeParse(parsed);
  if (!record.success) return false;
  const key = (object: z.infer<typeof CacheRecord>['objects'][number] | GcsObject): string =>
    [object.name, object.sizeBytes, object.crc32c ?? '', object.md5Hash ?? '', object.generation ?? ''].join('|');
  const cached = new Set(record.data.objects.map((object) => key(object)));
  return cached.size === objects.length && objects.every((object) => cached.has(key(object)));
}

interface FetchTarget {
  readonly bucket: string;
  readonly listPrefix: string;
  readonly staging: string;
}

async function fetchAll(target: FetchTarget, objects: readonly GcsObject[], options: DownloadOptions): Promise<void> {
  const { bucket, listPrefix, staging } = target;
  await mkdir(staging, { recursive: true });
  const retry = options.retry ?? { attempts: 3, initialDelayMs: 500 };
  await runPool(objects, options.concurrency ?? 8, async (object) => {
    const relative = object.name.slice(listPrefix.length);
    const destination = join(staging, ...relative.split('/'));
    await mkdir(dirname(destination), { recursive: true });
    const report = throttleProgress(options.onProgress);
    await withRetries(
      () =>
        options.client.download({ bucket, name: object.name }, destination, (bytes) =>
          report({ direction: 'download', file: relative, bytesDone: bytes, bytesTotal: object.sizeBytes }),
        ),
      retry,
    );
    const info = await stat(destination);
    if (info.size !== object.sizeBytes) {
      throw storageError('STORAGE_DOWNLOAD_FAILED', 'downloaded file has the wrong size', {
        file: object.name,
        given: `${info.size} bytes`,
        expected: `${object.sizeBytes} bytes`,
      });
    }
    report({ direction: 'download', file: relative, bytesDone: object.sizeBytes, bytesTotal: object.sizeBytes });
  });
}
