import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { storageError } from './errors.js';
import type { GcsClient, GcsObject } from './gcs.js';
import { COMPLETION_MARKER, PRODUCER_MANIFEST } from './marker.js';
import { runPool } from './pool.js';
import { throttleProgress, type ProgressListener } from './progress.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { safeDestination } from './safe-destination.js';
import { publishStaging, removeAbandonedStaging } from './staging.js';
import { placeListedFile, readCacheRecord, sameKeys, writeCacheRecord } from './cache-record.js';
import { dropUnnamedShards, planModelFiles, readShardIndex } from './model-files.js';

/** Options of {@link downloadPrefix}. */
export interface DownloadOptions {
  readonly client: GcsClient;
  /** Root of the download cache; each bucket prefix gets its own folder inside. */
  readonly cacheDir: string;
  readonly onProgress?: ProgressListener;
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** Download only the objects whose name below the prefix `keep` accepts; `label` keeps their cache apart from a full download's. */
  readonly only?: DownloadSelection;
  /** One line per thing worth telling that is not a transfer (training checkpoints skipped). */
  readonly onNotice?: (line: string) => void;
}

/** A named subset of a prefix's objects (e.g. the side files a Triton-backed server reads). */
export interface DownloadSelection {
  readonly label: string;
  readonly keep: (relativeName: string) => boolean;
}

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
 * A folder whose record matches the current listing is reused; otherwise it is rebuilt in a fresh
 * staging folder beside it and renamed into place, so a failed download never looks complete.
 * Every object name is checked ({@link safeDestination}) before anything is written; staging
 * folders of killed runs are removed first.
 */
export async function downloadPrefix(bucket: string, prefix: string, options: DownloadOptions): Promise<string> {
  const where = `gs://${bucket}/${prefix}`;
  const listPrefix = prefix === '' ? '' : `${prefix}/`;
  const objects = (await options.client.list(bucket, listPrefix)).filter((object) => !object.name.endsWith('/'));
  if (objects.length === 0) {
    throw storageError('STORAGE_NOT_FOUND', 'no objects under this location', { file: where, httpStatus: 404 });
  }
  const target = cacheFolder(options.cacheDir, bucket, options.only === undefined ? prefix : `${prefix}#${options.only.label}`);
  const listed = objects.map((object) => planObject(object, { bucket, listPrefix, target }));
  // the completion-marker rule reads the whole listing, so a selection never hides an unfinished upload
  refuseUnfinished(
    listed.map((item) => item.relative),
    where,
  );
  const keep = options.only?.keep;
  const plan = planModelFiles(keep === undefined ? listed : listed.filter((item) => keep(item.relative)), where);
  for (const line of plan.notices) options.onNotice?.(line);
  // the record is the plan before the index is read: the index's own generation decides which shards it names
  const selected = plan.keep.map((item) => item.object);
  await removeAbandonedStaging(target);
  if (await cacheMatches(target, selected)) return target;
  return publishStaging(target, async (staging) => {
    let planned = plan.keep;
    if (plan.index !== undefined) {
      await fetchAll({ bucket, staging }, [plan.index], options);
      const shards = dropUnnamedShards(plan, await readShardIndex(safeDestination(staging, plan.index.relative, { source: where })), where);
      if (shards.notice !== undefined) options.onNotice?.(shards.notice);
      planned = shards.keep.filter((item) => item !== plan.index);
    }
    await fetchAll({ bucket, staging }, planned, options);
    await writeCacheRecord(staging, { objects: selected });
  });
}

interface PlannedObject {
  readonly object: GcsObject;
  readonly sizeBytes: number;
  /** The name below the prefix, checked safe to place in a staging folder. */
  readonly relative: string;
}

/** Checks one listed object against the listing prefix and the file-name rules, before any write. */
function planObject(object: GcsObject, where: { bucket: string; listPrefix: string; target: string }): PlannedObject {
  const source = `gs://${where.bucket}/${object.name}`;
  if (!object.name.startsWith(where.listPrefix)) {
    throw storageError('STORAGE_OBJECT_NAME_UNSAFE', 'the listing returned an object outside the requested prefix', {
      file: source,
      httpStatus: 502,
      expected: `names starting with ${where.listPrefix}`,
    });
  }
  const relative = object.name.slice(where.listPrefix.length);
  placeListedFile(where.target, relative, source);
  return { object, relative, sizeBytes: object.sizeBytes };
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
  const record = await readCacheRecord(target, CacheRecord);
  if (record === undefined) return false;
  const key = (object: z.infer<typeof CacheRecord>['objects'][number] | GcsObject): string =>
    [object.name, object.sizeBytes, object.crc32c ?? '', object.md5Hash ?? '', object.generation ?? ''].join('|');
  return sameKeys(record.objects.map(key), objects.map(key));
}

interface FetchTarget {
  readonly bucket: string;
  readonly staging: string;
}

async function fetchAll(target: FetchTarget, planned: readonly PlannedObject[], options: DownloadOptions): Promise<void> {
  const { bucket, staging } = target;
  const retry = options.retry ?? { attempts: 3, initialDelayMs: 500 };
  await runPool(planned, options.concurrency ?? 8, async ({ object, relative }) => {
    const destination = safeDestination(staging, relative, { source: `gs://${bucket}/${object.name}` });
    await mkdir(dirname(destination), { recursive: true });
    const report = throttleProgress(options.onProgress);
    await withRetries(async () => {
      // the client creates the file exclusively, so a failed attempt's bytes go first
      await rm(destination, { force: true });
      await options.client.download({ bucket, name: object.name }, destination, (bytes) =>
        report({ direction: 'download', file: relative, bytesDone: bytes, bytesTotal: object.sizeBytes }),
      );
    }, retry);
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
