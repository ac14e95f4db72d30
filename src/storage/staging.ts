import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Staging folders of this process still being written; a same-pid leftover not in here is abandoned
// (a container restarted on a persistent cache runs as the same pid, often 1, as the run it replaces).
const inFlight = new Set<string>();

// mkdtemp's six random characters, or the 13-digit Date.now() of older releases; never a cache folder's 12-hex digest.
const STAGING_NAME = /^\.partial-(\d+)-(?:[A-Za-z0-9]{6}|\d{13})$/;

/**
 * Creates a fresh, empty staging folder `<target>.partial-<pid>-<random>` beside `target`.
 * mkdtemp picks an unpredictable name and fails rather than reuse an existing entry, so a link planted
 * in the cache cannot redirect the writes (https://nodejs.org/api/fs.html#fspromisesmkdtempprefix-options).
 */
export async function createStaging(target: string): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(`${target}.partial-${process.pid}-`);
  inFlight.add(staging);
  return staging;
}

/** Forgets a staging folder once it is renamed into place or removed. */
export function releaseStaging(staging: string): void {
  inFlight.delete(staging);
}

/**
 * Removes `<target>.partial-<pid>-*` folders left by runs that were killed: those whose pid is not
 * a live process, and this process's own ones that it is not writing. Another live process's folder
 * is kept (it may be downloading the same prefix right now). Links are removed, never followed.
 */
export async function removeAbandonedStaging(target: string): Promise<string[]> {
  const parent = dirname(target);
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const own = basename(target);
  for (const entry of entries) {
    if (!entry.startsWith(own)) continue;
    const pidText = STAGING_NAME.exec(entry.slice(own.length))?.[1];
    if (pidText === undefined) continue;
    const path = join(parent, entry);
    const pid = Number(pidText);
    const abandoned = pid === process.pid ? !inFlight.has(path) : !isProcessAlive(pid);
    if (!abandoned) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** Signal 0 checks existence only; EPERM means the process exists under another user. */
function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ESRCH');
  }
}

/**
 * Fills a fresh staging folder beside `target` and renames it into place, replacing what was there; on failure the
 * staging folder goes and `target` is untouched, so a failed download never looks complete. Returns `target`.
 */
export async function publishStaging(target: string, fill: (staging: string) => Promise<void>): Promise<string> {
  const staging = await createStaging(target);
  try {
    await fill(staging);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    releaseStaging(staging);
  }
  return target;
}
