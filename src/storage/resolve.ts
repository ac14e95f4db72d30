import { stat } from 'node:fs/promises';
import { hubSource, hubSourceIssue } from '../config/index.js';
import { downloadPrefix, type DownloadSelection } from './download.js';
import { storageError } from './errors.js';
import { createGcsClient, type GcsClient, type GcsClientOptions } from './gcs.js';
import { parseStorageLocation } from './location.js';
import { hasCompletionMarker, hasProducerManifest, COMPLETION_MARKER } from './marker.js';
import type { ProgressListener } from './progress.js';
import type { RetryPolicy } from './retry.js';
import { createHubClient, type HubClient, type HubClientOptions } from './hub/hub-client.js';
import { downloadHubSnapshot } from './hub/hub-download.js';

/** Options of {@link resolveModelSource}. */
export interface ResolveOptions {
  /** Download cache root (the caller passes LLM_DEPLOY_CACHE, default ~/.cache/llm-deploy). */
  readonly cacheDir: string;
  readonly onProgress?: ProgressListener;
  /** How to reach Cloud Storage (ignored for local sources). */
  readonly gcs?: GcsClientOptions;
  /** A ready client (tests); wins over `gcs`. */
  readonly client?: GcsClient;
  /** How to reach the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN) for hf:// and org/name sources. */
  readonly hub?: HubClientOptions;
  /** A ready Hub client (tests); wins over `hub`. */
  readonly hubClient?: HubClient;
  /** For gs:// and Hub sources: download only these files (local sources are used as they are). */
  readonly only?: DownloadSelection;
  /** How patiently each file's transfer is retried (remote sources). */
  readonly retry?: RetryPolicy;
  /** Lines worth telling that are not transfers (e.g. training checkpoints skipped). */
  readonly onNotice?: (line: string) => void;
}

/**
 * Turns a model source (local path, `file://`, `gs://bucket/prefix`, `/gcs/bucket/prefix`, `hf://org/name[@revision]`
 * or a bare `org/name` that is no local directory) into a local directory, downloading remote sources into the cache
 * (reused when still current).
 * @example const dir = await resolveModelSource('gs://bucket/t5', { cacheDir: '/home/me/.cache/llm-deploy' })
 */
export async function resolveModelSource(source: string, options: ResolveOptions): Promise<string> {
  const hub = hubSource(source);
  if (hub !== undefined) {
    const issue = hubSourceIssue(hub);
    if (issue !== undefined) {
      throw storageError('STORAGE_LOCATION_INVALID', `taken as a Hugging Face Hub source: ${issue}`, {
        httpStatus: 400,
        given: source,
        expected: 'hf://org/name[@revision] or org/name',
      });
    }
    return downloadHubSnapshot(hub, {
      client: options.hubClient ?? createHubClient(options.hub),
      cacheDir: options.cacheDir,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.only === undefined ? {} : { only: options.only }),
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
  }
  const location = parseStorageLocation(source);
  if (location.kind === 'gcs') {
    const client = options.client ?? createGcsClient(options.gcs);
    return downloadPrefix(location.bucket, location.prefix, {
      client,
      cacheDir: options.cacheDir,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.only === undefined ? {} : { only: options.only }),
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
  }
  let isDirectory = false;
  try {
    isDirectory = (await stat(location.path)).isDirectory();
  } catch (cause) {
    throw storageError('STORAGE_NOT_FOUND', 'model directory does not exist', {
      file: location.path,
      httpStatus: 404,
      cause,
    });
  }
  if (!isDirectory) {
    throw storageError('STORAGE_NOT_FOUND', 'model source is not a directory', { file: location.path, httpStatus: 400 });
  }
  if ((await hasProducerManifest(location.path)) && !(await hasCompletionMarker(location.path))) {
    throw storageError('STORAGE_INCOMPLETE', 'this directory was written by llm-deploy but never finished', {
      file: location.path,
      httpStatus: 409,
      expected: `${COMPLETION_MARKER} (written last by convert/upload); rerun the conversion`,
    });
  }
  return location.path;
}
