import { errorFactory, type ErrorFactoryFacts } from '../config/index.js';

/** Error codes raised while moving bytes between local disk and buckets. */
export type StorageErrorCode =
  | 'STORAGE_LOCATION_INVALID'
  | 'STORAGE_NOT_FOUND'
  | 'STORAGE_DOWNLOAD_FAILED'
  | 'STORAGE_CHECKSUM_MISMATCH'
  | 'STORAGE_UPLOAD_FAILED'
  | 'STORAGE_INCOMPLETE'
  | 'STORAGE_OBJECT_NAME_UNSAFE'
  | 'STORAGE_LOCAL_IO'
  | 'STORAGE_IAM_DENIED'
  | 'STORAGE_IAM_FAILED'
  | 'STORAGE_ACCESS_DENIED'
  | 'STORAGE_HUB_UNREACHABLE';

/** Facts for {@link storageError}. */
export type StorageErrorFacts = ErrorFactoryFacts;

/** One constructor for every storage error, so each carries its facts as fields. */
export const storageError = errorFactory<StorageErrorCode>();
