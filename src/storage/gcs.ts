// The only importer of @google-cloud/storage: turns its objects and errors into ours.
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IdempotencyStrategy, Storage, type File, type Policy } from '@google-cloud/storage';
import { z } from 'zod';
import type { LlmDeployError } from '../config/index.js';
import { bucketIam, iamError, type BucketIam } from './bucket-iam.js';
import { normalizeEmulatorEndpoint } from './emulator-endpoint.js';
import { storageError } from './errors.js';

/** How to reach Cloud Storage; `apiEndpoint` points the official client at another server (tests, emulators). */
export interface GcsClientOptions {
  /**
   * A Cloud Storage emulator (STORAGE_EMULATOR_HOST): `host:port` or `http://host:port`, optionally
   * ending in `/` or `/storage/v1`; with it set, requests carry no credentials.
   */
  readonly apiEndpoint?: string;
  readonly projectId?: string;
  /** Retries the client itself makes per request (resumable uploads resume from the server's offset). */
  readonly maxRetries?: number;
}

/** One stored object as listed by the bucket. */
export interface GcsObject {
  readonly name: string;
  readonly sizeBytes: number;
  readonly md5Hash?: string;
  readonly crc32c?: string;
  readonly generation?: string;
}

/** The few bucket operations llm-deploy needs. */
export interface GcsClient {
  /** Every object whose name starts with `prefix`. */
  list(bucket: string, prefix: string): Promise<GcsObject[]>;
  /**
   * Downloads one object to the new file `destination` (an existing file or link there is an error,
   * never written through), crc32c-verified; `onBytes` gets the running byte count.
   */
  download(object: { bucket: string; name: string }, destination: string, onBytes?: (bytes: number) => void): Promise<void>;
  /** Uploads one file, crc32c-verified by the client against what the server stored. */
  upload(object: { bucket: string; name: string }, source: string, options: GcsUploadOptions): Promise<void>;
  /** Deletes one object (absent objects are fine). */
  remove(object: { bucket: string; name: string }): Promise<void>;
}

/** Options of {@link GcsClient.upload}. */
export interface GcsUploadOptions {
  /** Resumable session (large files) rather than one multipart request. */
  readonly resumable: boolean;
  /** Resumable uploads go in requests of this many bytes (a multiple of 256 KiB); a cut request resumes at the server's offset. */
  readonly chunkBytes?: number;
  readonly onBytes?: (bytes: number) => void;
}

const ListedObject = z.object({
  name: z.string(),
  size: z.union([z.string(), z.number()]).optional(),
  md5Hash: z.string().optional(),
  crc32c: z.string().optional(),
  generation: z.union([z.string(), z.number()]).optional(),
});

/** Creates a client over the official @google-cloud/storage library. */
export function createGcsClient(options: GcsClientOptions = {}): GcsClient {
  const storage = newStorage(options);
  return {
    async list(bucket, prefix) {
      try {
        const [files] = await storage.bucket(bucket).getFiles({ prefix, autoPaginate: true });
        return files.map((file) => toGcsObject(file));
      } catch (cause) {
        throw translate(cause, 'STORAGE_DOWNLOAD_FAILED', `gs://${bucket}/${prefix}`, 'listing objects failed');
      }
    },
    async download(object, destination, onBytes) {
      const file = storage.bucket(object.bucket).file(object.name);
      try {
        await pipeline(file.createReadStream({ validation: 'crc32c' }), counter(onBytes), createWriteStream(destination, { flags: 'wx' }));
      } catch (cause) {
        throw translate(cause, 'STORAGE_DOWNLOAD_FAILED', `gs://${object.bucket}/${object.name}`, 'download failed');
      }
    },
    async upload(object, source, uploadOptions) {
      const file = storage.bucket(object.bucket).file(object.name);
      try {
        const chunked = uploadOptions.resumable && uploadOptions.chunkBytes !== undefined ? { chunkSize: uploadOptions.chunkBytes } : {};
        const sink = file.createWriteStream({ resumable: uploadOptions.resumable, validation: 'crc32c', ...chunked });
        await pipeline(createReadStream(source), counter(uploadOptions.onBytes), sink);
      } catch (cause) {
        throw translate(cause, 'STORAGE_UPLOAD_FAILED', `gs://${object.bucket}/${object.name}`, 'upload failed');
      }
    },
    async remove(object) {
      try {
        await storage.bucket(object.bucket).file(object.name).delete({ ignoreNotFound: true });
      } catch (cause) {
        throw translate(cause, 'STORAGE_UPLOAD_FAILED', `gs://${object.bucket}/${object.name}`, 'delete failed');
      }
    },
  };
}

function newStorage(options: GcsClientOptions): Storage {
  const endpoint = options.apiEndpoint === undefined ? undefined : normalizeEmulatorEndpoint(options.apiEndpoint);
  const storage = new Storage({
    ...(endpoint === undefined ? {} : { apiEndpoint: endpoint, useAuthWithCustomEndpoint: false }),
    ...(options.projectId === undefined ? {} : { projectId: options.projectId }),
    retryOptions: {
      autoRetry: true,
      maxRetries: options.maxRetries ?? 3,
      retryDelayMultiplier: 2,
      maxRetryDelay: 8,
      totalTimeout: 600,
      idempotencyStrategy: IdempotencyStrategy.RetryAlways,
    },
  });
  // The library takes a STORAGE_EMULATOR_HOST from the process environment verbatim as its JSON API root
  // while uploads go to `<apiEndpoint>/upload/storage/v1`, so no one value serves both
  // (https://github.com/googleapis/nodejs-storage/issues/1314); the root follows our normalized endpoint.
  if (endpoint !== undefined) storage.baseUrl = `${endpoint}/storage/v1`;
  return storage;
}

/**
 * Bucket-level IAM through the official client's `bucket.iam`: getPolicy with requestedPolicyVersion 3 and
 * setPolicy carrying the read etag, so a concurrent change is refused with 412
 * (https://cloud.google.com/storage/docs/json_api/v1/buckets/getIamPolicy, .../buckets/setIamPolicy);
 * testIamPermissions tells beforehand whether the caller may do either.
 */
export function createBucketIam(options: GcsClientOptions = {}): BucketIam {
  const storage = newStorage(options);
  return bucketIam({
    async get(bucket) {
      try {
        const [policy] = await storage.bucket(bucket).iam.getPolicy({ requestedPolicyVersion: 3 });
        return policy;
      } catch (cause) {
        throw iamError(cause, bucket, 'read the IAM policy');
      }
    },
    async set(bucket, policy) {
      try {
        await storage.bucket(bucket).iam.setPolicy({
          bindings: policy.bindings.map(({ role, members, condition }) => ({
            role,
            members,
            ...(condition === undefined ? {} : { condition: clean(condition) }),
          })),
          version: 3,
          ...(policy.etag === undefined ? {} : { etag: policy.etag }),
        });
      } catch (cause) {
        throw iamError(cause, bucket, 'set the IAM policy');
      }
    },
    // "Permissions are not required for using this method": it answers with the subset the caller holds
    // (https://cloud.google.com/storage/docs/json_api/v1/buckets/testIamPermissions).
    async test(bucket, permissions) {
      try {
        const [held] = await storage.bucket(bucket).iam.testPermissions([...permissions]);
        return held;
      } catch (cause) {
        throw iamError(cause, bucket, 'test IAM permissions');
      }
    },
  });
}

function clean(condition: {
  expression: string;
  title?: string | undefined;
  description?: string | undefined;
}): NonNullable<Policy['bindings'][number]['condition']> {
  return {
    expression: condition.expression,
    ...(condition.title === undefined ? {} : { title: condition.title }),
    ...(condition.description === undefined ? {} : { description: condition.description }),
  };
}

function toGcsObject(file: File): GcsObject {
  const parsed = ListedObject.parse({ ...file.metadata, name: file.name });
  return {
    name: parsed.name,
    sizeBytes: Number(parsed.size ?? 0),
    ...(parsed.md5Hash === undefined ? {} : { md5Hash: parsed.md5Hash }),
    ...(parsed.crc32c === undefined ? {} : { crc32c: parsed.crc32c }),
    ...(parsed.generation === undefined ? {} : { generation: String(parsed.generation) }),
  };
}

function counter(onBytes: ((bytes: number) => void) | undefined): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      onBytes?.(total);
      callback(null, chunk);
    },
  });
}

const ErrorShape = z.object({ code: z.union([z.string(), z.number()]).optional() });

function translate(
  cause: unknown,
  code: 'STORAGE_DOWNLOAD_FAILED' | 'STORAGE_UPLOAD_FAILED',
  where: string,
  summary: string,
): LlmDeployError {
  const shape = ErrorShape.safeParse(cause);
  const sdkCode = shape.success ? shape.data.code : undefined;
  if (sdkCode === 'CONTENT_DOWNLOAD_MISMATCH' || sdkCode === 'FILE_NO_UPLOAD' || sdkCode === 'FILE_NO_UPLOAD_DELETE') {
    return storageError('STORAGE_CHECKSUM_MISMATCH', 'checksum mismatch: the bytes moved are not the bytes stored', {
      file: where,
      expected: 'matching crc32c on both sides',
      cause,
    });
  }
  if (sdkCode === 404) {
    return storageError('STORAGE_NOT_FOUND', 'no such bucket or object', { file: where, httpStatus: 404, cause });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return storageError(code, summary, { file: where, given: detail.slice(0, 200), cause });
}
