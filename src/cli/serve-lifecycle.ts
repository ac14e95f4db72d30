/**
 * The life of a `serve` process around the server: the model files opened off the main thread,
 * listen failures the user can fix, and the signals that end it (drain, then a second signal forces).
 */
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import type { ModelDirectory } from '../model/index.js';
import type { LlmDeployServer } from '../server/index.js';
import { EXIT, type CommandContext } from './context.js';

/**
 * Opens (and closes) every file of the model's directories on the libuv threadpool. The model
 * readers open files synchronously, so a file whose open never returns (a hung network mount)
 * would block the event loop and with it SIGTERM; opened here first, it blocks one pool thread
 * instead, and the process still answers /health and signals. O_NONBLOCK, as the model file
 * opener uses it, so a FIFO does not block here either and reaches that opener's refusal.
 */
export async function openModelFilesOffThread(model: ModelDirectory): Promise<void> {
  const dirs = [...new Set([model.dir, model.modelDir, model.tokenizerDir, model.generationDir])];
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) continue;
      const handle = await open(join(dir, entry.name), constants.O_RDONLY | constants.O_NONBLOCK);
      await handle.close();
    }
  }
}

/** Node's listen error codes that are the caller's to fix: the flag at fault and what to do. */
const LISTEN_ADVICE: Readonly<Record<string, { flag: '--host' | '--port'; advice: (port: number) => string }>> = {
  EADDRINUSE: {
    flag: '--port',
    advice: (port) => `port ${port} is already in use: stop the other server, or pick another --port (0 picks a free one)`,
  },
  EACCES: { flag: '--port', advice: (port) => `no permission to listen on port ${port}: use a port above 1023, or --port 0` },
  EADDRNOTAVAIL: { flag: '--host', advice: () => 'the host is not an address of this machine: use --host 127.0.0.1 or 0.0.0.0' },
  ENOTFOUND: {
    flag: '--host',
    advice: () => 'the host name does not resolve: use an IP address such as 127.0.0.1 or 0.0.0.0, or a name that resolves',
  },
  EAI_AGAIN: {
    flag: '--host',
    advice: () => 'the host name could not be resolved (DNS lookup failed): use an IP address such as 127.0.0.1 or 0.0.0.0',
  },
};

/**
 * Starts listening; a busy port or an unresolvable host becomes CLI_LISTEN_FAILED (exit 2) naming
 * host, port and what to do. Codes: https://nodejs.org/api/net.html#serverlisten and
 * https://nodejs.org/api/errors.html#common-system-errors (ENOTFOUND/EAI_AGAIN come from dns.lookup).
 */
export async function listenOrExplain(server: LlmDeployServer): Promise<string> {
  const { host, port } = server.options;
  try {
    return await server.listen();
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
    const known = LISTEN_ADVICE[code];
    if (known === undefined) throw error;
    await server.close();
    throw new LlmDeployError(`cannot listen on ${host}:${port} (${code}): ${known.advice(port)}`, {
      code: 'CLI_LISTEN_FAILED',
      httpStatus: 400,
      field: known.flag,
      given: `${host}:${port}`,
      cause: error,
    });
  }
}

/**
 * Resolves with the exit code once the server has stopped: the first SIGTERM/SIGINT drains (exit 0),
 * or, while the model is still loading, stops at once (exit 1); a second signal answers every
 * in-flight request 503 (an error event on streams) and exits 1; a failed load exits 1.
 */
export function serveUntilSignal(server: LlmDeployServer, context: CommandContext): Promise<number> {
  const log = server.app.log;
  let loaded = false;
  let signals = 0;
  return new Promise<number>((resolve) => {
    const finish = (code: number): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(code);
    };
    const stopNow = (message: string, fields: Record<string, unknown>): void => {
      log.warn({ ...fields, inFlight: server.inFlightCount }, message);
      server.close().then(
        () => finish(EXIT.failure),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          finish(EXIT.failure);
        },
      );
    };
    const onSignal = (signal: string): void => {
      signals += 1;
      if (signals > 1) return stopNow('second signal: answering in-flight requests 503 and exiting', { signal });
      if (!loaded) return stopNow('signal while the model is still loading: exiting without waiting for it', { signal });
      log.info({ signal }, 'shutting down');
      server.drain().then(
        ({ drained }) => {
          log.info({ drained }, 'stopped');
          if (signals === 1) finish(EXIT.ok);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          finish(EXIT.failure);
        },
      );
    };
    const onTerm = (): void => onSignal('SIGTERM');
    const onInt = (): void => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    server.modelLoaded.then(
      () => (loaded = true),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        context.stderr.write(`error: the model could not be loaded: ${message}\n`);
        // a model source that does not exist (or is not a model) is the caller's input, as for convert
        const callerFault = LlmDeployError.isInstance(error) && error.httpStatus >= 400 && error.httpStatus < 500;
        void server.close().finally(() => finish(callerFault ? EXIT.usage : EXIT.failure));
      },
    );
  });
}
