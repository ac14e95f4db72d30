import { stat } from 'node:fs/promises';
import { looksLikeHubId } from '../config/index.js';
import { downloadPrefix, type DownloadSelection } from './download.js';
import { storageError } from './errors.js';
import { createGcsClient, type GcsClient, type GcsClientOptions } from './gcs.js';
import { parseStorageLocation } from './location.js';
import { hasCompletionMarker, hasProducerManifest, COMPLETION_MARKER } from './marker.js';
import type { ProgressListener } from './progress.js';

/** Options of {@link resolveModelSource}. */
export interface ResolveOptions {
  /** Download cache root (the caller passes LLM_DEPLOY_CACHE, default ~/.cache/llm-deploy). */
  readonly cacheDir: string;
  readonly onProgress?: ProgressListener;
  /** How to reach Cloud Storage (ignored for local sources). */
  readonly gcs?: GcsClientOptions;
  /** A ready client (tests); wins over `gcs`. */
  readonly client?: GcsClient;
  /** For gs:// sources: download only these objects (local sources are used as they are). */
  readonly only?: DownloadSelection;
  /** Lines worth telling that are not transfers (e.g. training checkpoints skipped). */
  readonly onNotice?: (line: string) => void;
}

/**
 * Turns a model source (local path, `file://`, `gs://bucket/prefix`) into a local directory,
 * downloading gs:// sources into the cache (reused when still current).
 * @example const dir = await resolveModelSource('gs://bucket/t5', { cacheDir: '/home/me/.cache/llm-deploy' })
 */
export async function resolveModelSource(source: string, options: ResolveOptions): Promise<string> {
  const location = parseStorageLocation(source);
  if (location.kind === 'gcs') {
    const client = options.client ?? createGcsClient(options.gcs);
    return downloadPrefix(location.bucket, location.prefix, {
      client,
      cacheDir: options.cacheDir,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.only === undefined ? {} : { only: options.only }),
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
    });
  }
  let isDirectory = false;
  try {
    isDirectory = (await stat(location.path)).isDirectory();
  } catch (cause) {
    if (looksLikeHubId(source)) {
      throw storageError(
        'STORAGE_NOT_FOUND',
        'taken as a Hugging Face Hub id (no such local directory); downloading from the Hub is not supported yet',
        {
          file: source,
          httpStatus: 404,
          expected: 'a gs:// or /gcs/ location or a local directory holding the model',
          cause,
        },
      );
    }
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
