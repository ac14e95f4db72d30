import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { storageError } from './errors.js';
import { safeDestination } from './safe-destination.js';

/** Written last into a cache folder: the listing it was downloaded from. */
export const CACHE_RECORD = '.llm-deploy-cache.json';

/** The record of the cache folder `target` parsed with `schema`, or undefined when it is absent or unreadable. */
export async function readCacheRecord<T>(target: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(target, CACHE_RECORD), 'utf8'));
  } catch {
    return undefined;
  }
  const record = schema.safeParse(parsed);
  return record.success ? record.data : undefined;
}

/** Writes the record into a staging folder, after every file is in place. */
export async function writeCacheRecord(staging: string, record: unknown): Promise<void> {
  await writeFile(join(staging, CACHE_RECORD), JSON.stringify(record), { flag: 'wx' });
}

/** True when both lists hold the same keys (order aside). */
export function sameKeys(cached: readonly string[], current: readonly string[]): boolean {
  const set = new Set(cached);
  return set.size === current.length && current.every((key) => set.has(key));
}

/** Checks a listed name before anything is written: safe to place below `target`, and not the cache record's name. */
export function placeListedFile(target: string, relative: string, source: string): string {
  const path = safeDestination(target, relative, { source });
  if (relative === CACHE_RECORD) {
    // it would stand in for the record that decides whether the cache is current
    throw storageError('STORAGE_OBJECT_NAME_UNSAFE', 'object name is reserved for the download cache record', {
      file: source,
      httpStatus: 422,
      expected: `any name but ${CACHE_RECORD} directly below the prefix`,
    });
  }
  return path;
}
