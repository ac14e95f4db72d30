import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LlmDeployError, type HubSource } from '../../config/index.js';
import { placeListedFile, readCacheRecord, sameKeys, writeCacheRecord } from '../cache-record.js';
import type { DownloadSelection } from '../download.js';
import { storageError } from '../errors.js';
import { dropUnnamedShards, planModelFiles, readShardIndex } from '../model-files.js';
import { runPool } from '../pool.js';
import { throttleProgress, type ProgressListener } from '../progress.js';
import { withRetries, type RetryPolicy } from '../retry.js';
import { safeDestination } from '../safe-destination.js';
import { publishStaging, removeAbandonedStaging } from '../staging.js';
import { fileDigest } from './file-digest.js';
import type { HubClient, HubFile, HubSnapshot } from './hub-client.js';

/** Options of {@link downloadHubSnapshot}. */
export interface HubSnapshotOptions {
  readonly client: HubClient;
  /** Cache root: a snapshot lands in `<cacheDir>/hub/<org>--<name>/<commit>`. */
  readonly cacheDir: string;
  readonly onProgress?: ProgressListener;
  readonly onNotice?: (line: string) => void;
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  readonly only?: DownloadSelection;
}

interface PlannedFile {
  readonly file: HubFile;
  readonly relative: string;
  readonly sizeBytes: number;
}

const CacheRecord = z.object({
  commit: z.string(),
  files: z.array(z.object({ path: z.string(), sizeBytes: z.number(), digest: z.string() })),
});

/**
 * Downloads the files loading needs of a Hub repo at a revision into the cache, keyed by the commit the revision
 * resolves to, and returns that folder: a second call for the same commit downloads nothing. Each file is verified
 * (LFS: sha256 of the whole file; others: the git blob sha1 the listing gives as blobId) and a cut transfer resumes
 * from its partial file (`<repo folder>/.incomplete/`) with a Range request, in this run or the next.
 * @example await downloadHubSnapshot({ repo: 'google/flan-t5-base', revision: 'main' }, { client, cacheDir })
 */
export async function downloadHubSnapshot(source: HubSource, options: HubSnapshotOptions): Promise<string> {
  const where = `hf://${source.repo}@${source.revision}`;
  const repoFolder = join(options.cacheDir, 'hub', source.repo.replace('/', '--'));
  const label = options.only === undefined ? '' : `-${options.only.label.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40)}`;
  const listing = await listOrCached(source, { repoFolder, label, where, options });
  if (typeof listing === 'string') return listing;
  const { commit, files } = listing;
  const target = join(repoFolder, `${commit}${label}`);
  const listed = files.map((file) => {
    placeListedFile(target, file.path, `${where}/${file.path}`);
    return { file, relative: file.path, sizeBytes: file.sizeBytes };
  });
  const keep = options.only?.keep;
  const plan = planModelFiles(keep === undefined ? listed : listed.filter((item) => keep(item.relative)), where);
  for (const line of plan.notices) options.onNotice?.(line);
  const record = { commit, files: plan.keep.map(({ file }) => ({ path: file.path, sizeBytes: file.sizeBytes, digest: digestOf(file) })) };
  await removeAbandonedStaging(target);
  const cached = await readCacheRecord(target, CacheRecord);
  const key = (entry: (typeof record.files)[number]): string => `${entry.path}|${entry.sizeBytes}|${entry.digest}`;
  const refs = { repoFolder, revision: source.revision, commit };
  if (cached?.commit === commit && sameKeys(cached.files.map(key), record.files.map(key))) return rememberRef(refs, target);
  const fetcher = { repo: source.repo, commit, where, partials: join(repoFolder, '.incomplete'), options };
  await publishStaging(target, async (staging) => {
    let planned = plan.keep;
    if (plan.index !== undefined) {
      await fetchFiles(fetcher, staging, [plan.index]);
      const indexFile = safeDestination(staging, plan.index.relative, { source: `${where}/${plan.index.relative}` });
      const shards = dropUnnamedShards(plan, await readShardIndex(indexFile), where);
      if (shards.notice !== undefined) options.onNotice?.(shards.notice);
      planned = shards.keep.filter((item) => item !== plan.index);
    }
    await fetchFiles(fetcher, staging, planned);
    await writeCacheRecord(staging, record);
  });
  return rememberRef(refs, target);
}

interface CacheLookup {
  readonly repoFolder: string;
  readonly label: string;
  readonly where: string;
  readonly options: HubSnapshotOptions;
}

// As huggingface_hub does when the Hub cannot be reached (file_download.py: a connection error falls back to the
// cached snapshot that refs/<revision> names): a pod restarting during a Hub outage still starts.
/** The Hub's listing, or the cached folder of the commit this revision last resolved to when the Hub cannot be reached. */
async function listOrCached(source: HubSource, lookup: CacheLookup): Promise<HubSnapshot | string> {
  try {
    return await lookup.options.client.snapshot(source.repo, source.revision);
  } catch (error) {
    if (!LlmDeployError.isInstance(error) || error.code !== 'STORAGE_HUB_UNREACHABLE') throw error;
    const commit = COMMIT.test(source.revision)
      ? source.revision
      : (await readFile(refFile(lookup.repoFolder, source.revision), 'utf8').catch(() => '')).trim();
    const target = join(lookup.repoFolder, `${commit}${lookup.label}`);
    const cached = COMMIT.test(commit) ? await readCacheRecord(target, CacheRecord) : undefined;
    if (cached?.commit !== commit) throw error;
    lookup.options.onNotice?.(`${lookup.where}: ${error.message}; using the cached download of commit ${commit}`);
    return target;
  }
}

const COMMIT = /^[0-9a-f]{40}$/;

function refFile(repoFolder: string, revision: string): string {
  return join(repoFolder, 'refs', encodeURIComponent(revision));
}

/** Records which commit the revision resolved to (huggingface_hub's refs/<revision>), for {@link listOrCached}. */
async function rememberRef(
  refs: { readonly repoFolder: string; readonly revision: string; readonly commit: string },
  target: string,
): Promise<string> {
  await mkdir(join(refs.repoFolder, 'refs'), { recursive: true });
  await writeFile(refFile(refs.repoFolder, refs.revision), refs.commit);
  return target;
}

/** The checksum a file is verified against: `sha256:<hex>` (LFS), `git-sha1:<hex>` (blob id) or `size` (neither listed). */
function digestOf(file: HubFile): string {
  if (file.lfsSha256 !== undefined) return `sha256:${file.lfsSha256}`;
  return file.blobId === undefined ? 'size' : `git-sha1:${file.blobId}`;
}

interface Fetcher {
  readonly repo: string;
  readonly commit: string;
  readonly where: string;
  readonly partials: string;
  readonly options: HubSnapshotOptions;
}

async function fetchFiles(fetcher: Fetcher, staging: string, planned: readonly PlannedFile[]): Promise<void> {
  const retry = fetcher.options.retry ?? { attempts: 4, initialDelayMs: 500 };
  await mkdir(fetcher.partials, { recursive: true });
  await runPool(planned, fetcher.options.concurrency ?? 8, async ({ file }) => {
    const source = `${fetcher.where}/${file.path}`;
    const destination = safeDestination(staging, file.path, { source });
    // one partial per content and name, so a later run (or a retry) continues the same bytes with a Range request
    const contentKey = file.lfsSha256 ?? file.blobId ?? fetcher.commit;
    const partial = join(fetcher.partials, `${contentKey}.${createHash('sha256').update(file.path).digest('hex').slice(0, 12)}`);
    const report = throttleProgress(fetcher.options.onProgress);
    await withRetries(
      async () => {
        const offsetBytes = await resumableBytes(partial, file.sizeBytes);
        const sent = await fetcher.options.client.download({ repo: fetcher.repo, commit: fetcher.commit, path: file.path }, partial, {
          offsetBytes,
          maxBytes: file.sizeBytes,
          onBytes: (bytes) => report({ direction: 'download', file: file.path, bytesDone: bytes, bytesTotal: file.sizeBytes }),
        });
        if (sent.repoCommit !== undefined && sent.repoCommit !== fetcher.commit) {
          throw storageError('STORAGE_DOWNLOAD_FAILED', 'the Hub answered with a file of another commit', {
            file: source,
            given: sent.repoCommit,
            expected: fetcher.commit,
          });
        }
        await verifyFile(partial, file, { source, ...(sent.etag === undefined ? {} : { etag: sent.etag }) });
      },
      retry,
      retryable,
    );
    await mkdir(dirname(destination), { recursive: true });
    await rename(partial, destination);
    report({ direction: 'download', file: file.path, bytesDone: file.sizeBytes, bytesTotal: file.sizeBytes });
  });
}

/** A cut connection, a 5xx or a bad file is worth another attempt; the Hub refusing us (401, 403, 404) is not. */
function retryable(error: unknown): boolean {
  return !(LlmDeployError.isInstance(error) && error.httpStatus >= 400 && error.httpStatus < 500);
}

/** Bytes of an earlier attempt to continue from: 0 without a partial file, or when it is not shorter than the file. */
async function resumableBytes(partial: string, sizeBytes: number): Promise<number> {
  const size = await stat(partial).then(
    (info) => info.size,
    () => 0,
  );
  if (size > 0 && size < sizeBytes) return size;
  await rm(partial, { force: true });
  return 0;
}

/** Size, then the listed checksum; a bad file is removed so the next attempt starts afresh (a short one is kept to resume). */
async function verifyFile(partial: string, file: HubFile, facts: { readonly source: string; readonly etag?: string }): Promise<void> {
  const size = (await stat(partial)).size;
  if (size !== file.sizeBytes) {
    if (size > file.sizeBytes) await rm(partial, { force: true });
    throw storageError('STORAGE_DOWNLOAD_FAILED', 'the download ended early', {
      file: facts.source,
      given: `${size} bytes`,
      expected: `${file.sizeBytes} bytes`,
    });
  }
  const expected = file.lfsSha256 ?? file.blobId;
  if (expected === undefined) return;
  const actual = await fileDigest(partial, file.lfsSha256 === undefined ? 'git-blob-sha1' : 'sha256');
  const etagDisagrees = facts.etag !== undefined && facts.etag !== expected;
  if (actual !== expected || etagDisagrees) {
    await rm(partial, { force: true });
    throw storageError('STORAGE_CHECKSUM_MISMATCH', 'a Hub file does not match its listed checksum', {
      file: facts.source,
      given: etagDisagrees ? `etag ${facts.etag ?? ''}, content ${actual}` : actual,
      expected: `${file.lfsSha256 === undefined ? 'git blob sha1' : 'LFS sha256'} ${expected}`,
    });
  }
}
