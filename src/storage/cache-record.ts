import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';

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
