#!/usr/bin/env -S node --
// Runs the TypeScript sources directly through tsx, so `npx llm-deploy` works right after `npm ci`.
import { setTimeout } from 'node:timers';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
// A command that has returned has nothing left to do, but a model load stuck in the threadpool (a file
// whose open never returns: a FIFO, a hung mount) keeps the process alive, and even process.exit() waits
// for that thread (libuv joins its pool on exit), so only a signal ends it. Output still queued for a
// slow reader is flushed first (an empty write calls back once everything before it is written).
const flushed = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 2000).unref();
