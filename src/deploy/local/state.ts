import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Files of one local deployment under `<stateRoot>/<name>/`. */
export interface LocalStatePaths {
  readonly dir: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly recordFile: string;
}

/** What `deploy --target local` records about the server it started. */
export const LocalRecordSchema = z.object({
  name: z.string(),
  pid: z.number().int().positive(),
  host: z.string(),
  port: z.number().int(),
  modelSource: z.string(),
  startedAt: z.string(),
  command: z.array(z.string()),
});
export type LocalRecord = z.infer<typeof LocalRecordSchema>;

/** Paths of the state directory for `name`. */
export function statePaths(stateRoot: string, name: string): LocalStatePaths {
  const dir = join(stateRoot, name);
  return { dir, pidFile: join(dir, 'server.pid'), logFile: join(dir, 'server.log'), recordFile: join(dir, 'deployment.json') };
}

/** The recorded deployment, or undefined when there is none (or it is unreadable: treated as stale). */
export async function readRecord(paths: LocalStatePaths): Promise<LocalRecord | undefined> {
  try {
    const parsed = LocalRecordSchema.safeParse(JSON.parse(await readFile(paths.recordFile, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and is an llm-deploy server (guards against a reused pid). */
export async function isOurServer(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('llm-deploy') && cmdline.includes('serve');
  } catch {
    return true; // no /proc (not Linux): trust the live pid
  }
}

/** Removes the state directory. */
export async function removeState(paths: LocalStatePaths): Promise<void> {
  await rm(paths.dir, { recursive: true, force: true });
}

/** The last `lines` lines of a log file ("" when missing). */
export async function logTail(path: string, lines = 30): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Drops the pid and record of a server that failed, keeping its log for the user to read. */
export async function forgetServer(paths: LocalStatePaths): Promise<void> {
  await rm(paths.pidFile, { force: true });
  await rm(paths.recordFile, { force: true });
}
