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
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22): a reused pid has another. */
  startTicks: z.number().int().nonnegative().optional(),
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

/**
 * A process's state letter and start time in clock ticks since boot: fields 3 and 22 of
 * /proc/<pid>/stat (proc(5), https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html); undefined
 * without /proc. Read after the last ')' because the command name (field 2) may hold spaces.
 */
async function processStat(pid: number): Promise<{ state: string; startTicks: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    return Number.isSafeInteger(startTicks) ? { state: fields[0] ?? '', startTicks } : undefined;
  } catch {
    return undefined;
  }
}

/** When the process started (clock ticks since boot), to tell it from a later process given the same pid. */
export async function processStartTicks(pid: number): Promise<number | undefined> {
  return (await processStat(pid))?.startTicks;
}

/**
 * True when the recorded server is still the process behind its pid: alive (not a zombie), and
 * started at the recorded time (records without one: its command line is an llm-deploy serve on the
 * recorded port). A reused pid, even one that is another llm-deploy server, is not ours.
 */
export async function isOurServer(record: Pick<LocalRecord, 'pid' | 'port' | 'startTicks'>): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  const stat = await processStat(record.pid);
  if (stat?.state === 'Z') return false;
  if (record.startTicks !== undefined && stat !== undefined) return stat.startTicks === record.startTicks;
  try {
    const args = (await readFile(`/proc/${record.pid}/cmdline`, 'utf8')).split('\0');
    const portAt = args.indexOf('--port');
    return args.some((arg) => arg.includes('llm-deploy')) && args.includes('serve') && args[portAt + 1] === String(record.port);
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
