import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import {
  createGcsClient,
  parseStorageLocation,
  publishDirectory,
  refuseNonEmptyLocal,
  writeCompletionMarker,
  type GcsClient,
  type GcsClientOptions,
  type StorageLocation,
  type TransferProgress,
} from '../storage/index.js';
import { convertError } from './errors.js';

/** Where a conversion writes, and the staging directory it fills first. */
export interface Destination {
  readonly target: StorageLocation;
  readonly text: string;
  /** Filled by the converter; renamed (local) or uploaded (gs://) by {@link finishDestination}. */
  readonly staging: string;
  readonly client?: GcsClient;
  readonly force: boolean;
}

/** Options of {@link prepareDestination}. */
export interface DestinationOptions {
  readonly destination: string;
  readonly source: string;
  readonly force?: boolean;
  readonly gcs?: GcsClientOptions;
  readonly client?: GcsClient;
  /** gs:// destinations are staged under `<cacheDir>/staging` (a big model needs the room; /tmp may be small). */
  readonly cacheDir: string;
}

/**
 * Checks the destination (empty unless `force`) before any work, and picks a staging directory:
 * a hidden sibling for local targets (so the final rename is atomic), one under the cache for gs://.
 */
export async function prepareDestination(options: DestinationOptions): Promise<Destination> {
  const target = parseStorageLocation(options.destination);
  const force = options.force ?? false;
  const needsClient = target.kind === 'gcs' || options.source.startsWith('gs://');
  const client = options.client ?? (needsClient ? createGcsClient(options.gcs) : undefined);
  if (target.kind === 'local') {
    try {
      await refuseNonEmptyLocal(target.path, force);
    } catch (cause) {
      if (!LlmDeployError.isInstance(cause)) throw cause;
      throw notEmpty(target.path, cause);
    }
  } else if (client !== undefined && !force) {
    const existing = await client.list(target.bucket, target.prefix === '' ? '' : `${target.prefix}/`);
    if (existing.length > 0) throw notEmpty(options.destination);
  }
  const staging =
    target.kind === 'local'
      ? join(dirname(target.path), `.${basename(target.path)}.partial-${process.pid}-${Date.now()}`)
      : await mkdtemp(join(await ensureDir(join(options.cacheDir, 'staging')), 'convert-'));
  return { target, text: options.destination, staging, force, ...(client === undefined ? {} : { client }) };
}

async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

function notEmpty(where: string, cause?: unknown): LlmDeployError {
  return convertError('CONVERT_DESTINATION_NOT_EMPTY', 'the destination already holds files', {
    file: where,
    httpStatus: 400,
    expected: 'an empty or new directory, or --force to replace it',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Moves the finished staging directory into place, then writes the completion markers last:
 * into each of `markerDirs` (relative, deepest first) and the root. Returns where it landed.
 */
export async function finishDestination(
  destination: Destination,
  markerDirs: readonly string[],
  onTransfer?: (progress: TransferProgress) => void,
): Promise<string> {
  const { target, staging } = destination;
  const markAll = async (root: string): Promise<void> => {
    for (const dir of [...markerDirs, '.']) await writeCompletionMarker(join(root, dir), 'llm-deploy convert');
  };
  if (target.kind === 'local') {
    await mkdir(dirname(target.path), { recursive: true });
    await rm(target.path, { recursive: true, force: true });
    await rename(staging, target.path);
    await markAll(target.path);
    return target.path;
  }
  await markAll(staging);
  await publishDirectory(staging, destination.text, {
    ...(destination.client === undefined ? {} : { client: destination.client }),
    force: destination.force,
    ...(onTransfer === undefined ? {} : { onProgress: onTransfer }),
  });
  return destination.text;
}

/** Removes the staging directory (after success it is already gone for local targets). */
export async function discardStaging(destination: Destination): Promise<void> {
  await rm(destination.staging, { recursive: true, force: true });
}
