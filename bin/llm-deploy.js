#!/usr/bin/env -S node --
// The CLI's entry point. One rule picks what runs: where the TypeScript sources are here and tsx (a
// development dependency) is installed, i.e. a checkout after `npm ci`, the sources run through tsx, so
// `npx llm-deploy` and `npm start` work without a build and a stale dist/ never runs; anywhere else
// (the image, an install without development dependencies) the compiled dist/ from `npm run build` runs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout } from 'node:timers';

const SOURCES = new URL('../src/cli/main.ts', import.meta.url);
const COMPILED = new URL('../dist/cli/main.js', import.meta.url);

function tsxInstalled() {
  try {
    createRequire(import.meta.url).resolve('tsx/package.json');
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'MODULE_NOT_FOUND') return false;
    throw error;
  }
}

async function loadMain() {
  if (existsSync(SOURCES) && tsxInstalled()) {
    const { register } = await import('tsx/esm/api');
    register();
    return (await import(SOURCES.href)).main;
  }
  if (existsSync(COMPILED)) return (await import(COMPILED.href)).main;
  return undefined;
}

const main = await loadMain();
if (main === undefined) {
  process.stderr.write('llm-deploy: nothing to run: no dist/ (run `npm run build`) and no src/ with tsx (run `npm ci`)\n');
  process.exitCode = 1;
} else {
  process.exitCode = await main(process.argv);
}
// A command that has returned has nothing left to do, but a model load stuck in the threadpool (a file
// whose open never returns: a FIFO, a hung mount) keeps the process alive, and even process.exit() waits
// for that thread (libuv joins its pool on exit), so only a signal ends it. Output still queued for a
// slow reader is flushed first (an empty write calls back once everything before it is written).
const flushed = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 2000).unref();
