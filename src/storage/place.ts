import { copyFile, link, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CACHE_RECORD } from './cache-record.js';
import { storageError } from './errors.js';
import { COMPLETION_MARKER, hasCompletionMarker, writeCompletionMarker } from './marker.js';
import { refuseNonEmptyLocal } from './publish.js';
import { publishStaging, removeAbandonedStaging } from './staging.js';
import { listLocalFiles } from './walk.js';

/** Options of {@link placeDirectory}. */
export interface PlaceOptions {
  /** Replace a destination that holds files llm-deploy did not place there (one it placed is always replaced). */
  readonly force?: boolean;
  /** Written into the completion marker. */
  readonly producer: string;
}

/** What {@link placeDirectory} did. */
export interface PlaceResult {
  readonly outcome: 'placed' | 'up-to-date' | 'in-place';
  readonly files: number;
  readonly bytes: number;
}

/**
 * Puts a resolved model directory at `destination` (an init container's volume): hard links where the filesystem
 * allows (the download cache on the same volume costs no second copy), copies otherwise, then the completion marker,
 * all in a staging folder renamed into place, so `destination` is complete or absent. A destination holding the same
 * cache record and the marker is left as it is; the source itself is left in place.
 * @example await placeDirectory('/cache/hub/google--flan-t5-base/<commit>', '/models/flan-t5-base', { producer: 'llm-deploy fetch' })
 */
export async function placeDirectory(source: string, destination: string, options: PlaceOptions): Promise<PlaceResult> {
  const files = (await listLocalFiles(source)).filter((file) => file.relativePath !== COMPLETION_MARKER);
  const bytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  if (resolve(source) === resolve(destination)) return { outcome: 'in-place', files: files.length, bytes };
  if ((await hasCompletionMarker(destination)) && (await sameRecord(source, destination))) {
    return { outcome: 'up-to-date', files: files.length, bytes };
  }
  // a destination this command completed before is replaced; anything else needs --force
  await refuseNonEmptyLocal(destination, options.force === true || (await hasCompletionMarker(destination)));
  await removeAbandonedStaging(destination);
  await publishStaging(destination, async (staging) => {
    for (const file of files) {
      const target = join(staging, ...file.relativePath.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await linkOrCopy(file.absolutePath, target);
    }
    await writeCompletionMarker(staging, options.producer);
  });
  return { outcome: 'placed', files: files.length, bytes };
}

/** Both folders hold the same download cache record (a download's listing, checksums included). */
async function sameRecord(source: string, destination: string): Promise<boolean> {
  const read = (dir: string): Promise<string | undefined> => readFile(join(dir, CACHE_RECORD), 'utf8').catch(() => undefined);
  const [left, right] = await Promise.all([read(source), read(destination)]);
  return left !== undefined && left === right;
}

// link(2) fails with EXDEV across filesystems and EPERM where links are not allowed; a copy then does the same job.
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    try {
      await copyFile(from, to);
    } catch (cause) {
      throw storageError('STORAGE_LOCAL_IO', 'cannot place a model file at the destination', { file: to, cause });
    }
  }
}
