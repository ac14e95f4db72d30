import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { localServerFailed } from '../errors.js';
import { forgetServer, isOurServer, logTail, processStartTicks, readRecord, removeState, statePaths, type LocalRecord } from './state.js';

/** Options for {@link deployLocal}. */
export interface LocalDeployOptions {
  readonly stateRoot: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly modelSource: string;
  /** argv that starts `llm-deploy serve` (e.g. [node, '--', bin/llm-deploy.js, 'serve']). */
  readonly serveCommand: readonly string[];
  /** Environment of the server process (the deployment spec's settings). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readyTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly onProgress?: (message: string) => void;
}

/** A running local deployment. */
export interface LocalDeployment {
  readonly record: LocalRecord;
  readonly url: string;
  readonly logFile: string;
  readonly stateDir: string;
}

/** What `status` reports for a local deployment. */
export type LocalStatus =
  | { readonly state: 'absent' }
  | { readonly state: 'stale'; readonly record: LocalRecord | undefined }
  | { readonly state: 'running'; readonly record: LocalRecord; readonly ready: boolean; readonly url: string };

/**
 * Starts `llm-deploy serve` detached, records pid/log/settings, and resolves once /health/ready
 * answers 200. A running instance of the same name is replaced; a stale one is cleaned up.
 */
export async function deployLocal(options: LocalDeployOptions): Promise<LocalDeployment> {
  const paths = statePaths(options.stateRoot, options.name);
  const previous = await localStatus(options.stateRoot, options.name);
  if (previous.state === 'running') {
    options.onProgress?.(`replacing the running instance (pid ${previous.record.pid})`);
    await teardownLocal({ stateRoot: options.stateRoot, name: options.name, drainTimeoutMs: options.drainTimeoutMs });
  } else if (previous.state === 'stale') {
    options.onProgress?.('removing stale state of an instance that is no longer running');
    await removeState(paths);
  }
  await mkdir(paths.dir, { recursive: true });
  const log = await open(paths.logFile, 'a');
  const [executable, ...baseArgs] = options.serveCommand;
  const args = [...baseArgs, '--model', options.modelSource, '--host', options.host, '--port', String(options.port)];
  const child = spawn(executable ?? process.execPath, args, { detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...options.env } });
  await log.close();
  const pid = child.pid;
  if (pid === undefined)
    throw localServerFailed('the server process did not start', { logFile: paths.logFile, logTail: await logTail(paths.logFile) });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const startTicks = await processStartTicks(pid);
  const record: LocalRecord = {
    name: options.name,
    pid,
    host: options.host,
    port: options.port,
    modelSource: options.modelSource,
    startedAt: new Date().toISOString(),
    command: [executable ?? '', ...args],
    ...(startTicks === undefined ? {} : { startTicks }),
  };
  await writeFile(paths.pidFile, `${pid}\n`);
  await writeFile(paths.recordFile, `${JSON.stringify(record, null, 2)}\n`);
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${options.port}`;
  options.onProgress?.(`server started (pid ${pid}), log ${paths.logFile}; waiting for ${url}/health/ready`);
  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const tail = await logTail(paths.logFile);
      await forgetServer(paths);
      throw localServerFailed(`the server exited with code ${exited} before it was ready`, { logFile: paths.logFile, logTail: tail });
    }
    if (await answers200(`${url}/health/ready`)) return { record, url, logFile: paths.logFile, stateDir: paths.dir };
    await sleep(250);
  }
  const tail = await logTail(paths.logFile);
  process.kill(pid, 'SIGKILL');
  await forgetServer(paths);
  throw localServerFailed(`the server was not ready after ${Math.round(options.readyTimeoutMs / 1000)} s`, {
    logFile: paths.logFile,
    logTail: tail,
  });
}

/** Running, stale (pid gone) or absent. */
export async function localStatus(stateRoot: string, name: string): Promise<LocalStatus> {
  const paths = statePaths(stateRoot, name);
  const record = await readRecord(paths);
  if (record === undefined) {
    return existsSync(paths.dir) ? { state: 'stale', record: undefined } : { state: 'absent' };
  }
  if (!(await isOurServer(record))) return { state: 'stale', record };
  const url = `http://${record.host === '0.0.0.0' ? '127.0.0.1' : record.host}:${record.port}`;
  return { state: 'running', record, url, ready: await answers200(`${url}/health/ready`) };
}

/** SIGTERM, wait for the drain (then SIGKILL), remove the state. Absent or stale: only cleans up. */
export async function teardownLocal(options: {
  stateRoot: string;
  name: string;
  drainTimeoutMs: number;
}): Promise<'stopped' | 'cleaned' | 'absent'> {
  const paths = statePaths(options.stateRoot, options.name);
  const status = await localStatus(options.stateRoot, options.name);
  if (status.state === 'absent') return 'absent';
  if (status.state === 'stale') {
    await removeState(paths);
    return 'cleaned';
  }
  const record = status.record;
  const pid = record.pid;
  // localStatus has just checked that the pid is still the server deploy started
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + options.drainTimeoutMs + 5000;
  while (Date.now() < deadline && (await isOurServer(record))) await sleep(100);
  if (await isOurServer(record)) process.kill(pid, 'SIGKILL');
  // An exiting process loses its command line before it is reaped: wait until the pid is really gone.
  const reapDeadline = Date.now() + 5000;
  while (Date.now() < reapDeadline && processExists(pid)) await sleep(50);
  await removeState(paths);
  return 'stopped';
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
