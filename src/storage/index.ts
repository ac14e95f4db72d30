export { parseStorageLocation, formatStorageLocation } from './location.js';
export type { StorageLocation } from './location.js';
export {
  COMPLETION_MARKER,
  PRODUCER_MANIFEST,
  writeCompletionMarker,
  hasCompletionMarker,
  hasProducerManifest,
} from './marker.js';
export { createGcsClient } from './gcs.js';
export type { GcsClient, GcsClientOptions, GcsObject, GcsUploadOptions } from './gcs.js';
export { downloadPrefix, CACHE_RECORD } from './download.js';
export type { DownloadOptions } from './download.js';
export { publishDirectory, refuseNonEmptyLocal } from './publish.js';
export type { PublishOptions } from './publish.js';
export { resolveModelSource } from './resolve.js';
export type { ResolveOptions } from './resolve.js';
export { formatProgress, throttleProgress, PROGRESS_MIN_BYTES } from './progress.js';
export type { ProgressListener, TransferProgress } from './progress.js';
export type { RetryPolicy } from './retry.js';
export { listLocalFiles } from './walk.js';
export type { LocalFile } from './walk.js';
export type { StorageErrorCode } from './errors.js';
