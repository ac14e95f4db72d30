#!/usr/bin/env node
// The compiled build the image runs: src/ (no tests, no __fixtures__) -> dist/ with tsc, plus the files
// the code reads beside itself at run time (the /ui page's assets), so dist/ needs no src/ next to it.
// Usage: npm run build [-- --out-dir DIR]  (DIR is emptied first, so no file of a deleted source stays)
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: join(root, 'dist') } } });
const outDir = resolve(values['out-dir']);
const src = join(root, 'src');

/** Files under src/ that are neither TypeScript nor test material: the run-time assets. */
function assets(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === '__fixtures__' ? [] : assets(path);
    return entry.endsWith('.ts') ? [] : [path];
  });
}

rmSync(outDir, { recursive: true, force: true });
const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error(`build: tsc failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
const copied = assets(src);
for (const file of copied) cpSync(file, join(outDir, relative(src, file)));
console.log(`build: ${outDir} (tsc + ${copied.length} assets)`);
