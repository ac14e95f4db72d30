import type { Readable, Writable } from 'node:stream';

/** What a command may touch: its streams, the environment it was started with, and its exit code. */
export interface CommandContext {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The process environment as given to `main` (commands pass it on; they never read process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Sets the exit code `main` returns; the highest code set wins. */
  setExitCode(code: number): void;
}

/** Exit codes shared by all commands. */
export const EXIT = {
  ok: 0,
  /** Something failed on our side or in a service we called. */
  failure: 1,
  /** The caller's input was wrong (flags, env file, stdin lines); nothing was started. */
  usage: 2,
} as const;
