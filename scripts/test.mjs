#!/usr/bin/env node
// The whole test suite: type check, lint, then every *.test.ts under src/ and test/ with node:test.
// Usage: npm test [-- <path filter> ...]  (a filter keeps only test files whose path contains it)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'fixtures' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

function run(label, command, args) {
  const started = Date.now();
  console.log(`\n== ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  console.log(`== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result.status === 0;
}

const npx = join(root, 'node_modules', '.bin');
let ok = true;
if (filters.length === 0) {
  ok = run('type check (tsc --noEmit)', join(npx, 'tsc'), ['--noEmit', '-p', 'tsconfig.json']) && ok;
  ok = run('lint (eslint)', join(npx, 'eslint'), ['--max-warnings', '0', '.']) && ok;
  ok = run('format (prettier --check)', join(npx, 'prettier'), ['--check', '--log-level', 'warn', '.']) && ok;
}
const tests = ['src', 'test']
  .flatMap((dir) => findTests(join(root, dir)))
  .filter((path) => filters.length === 0 || filters.some((filter) => path.includes(filter)))
  .sort();
if (tests.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
ok =
  run(`tests (${tests.length} files)`, process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    ...tests,
  ]) && ok;
process.exit(ok ? 0 : 1);
