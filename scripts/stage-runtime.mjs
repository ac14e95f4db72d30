#!/usr/bin/env node
// Lays out the container image's /app in a directory, without Docker: the compiled dist/ (npm run build),
// bin/, models/, package.json and a node_modules holding only the production dependencies (links to this
// checkout's packages that package-lock.json does not mark dev, so tsx and typescript are absent), and no
// src/. What runs from there is what the image runs. Usage: node scripts/stage-runtime.mjs DIR
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;

/** Top-level packages of package-lock.json that a production install (`npm ci --omit=dev`) keeps. */
export function productionPackages() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && entry.dev !== true)
    .map(([path]) => path.slice('node_modules/'.length));
}

/** Builds dist/ into `dir` and lays the rest of the image's files beside it; throws when the build fails. */
export function stageRuntime(dir) {
  const target = resolve(dir);
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-dir', join(target, 'dist')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status ?? build.signal})`);
  for (const entry of ['bin', 'package.json']) cpSync(join(root, entry), join(target, entry), { recursive: true });
  symlinkSync(join(root, 'models'), join(target, 'models'));
  const packages = productionPackages();
  for (const name of packages) {
    if (!existsSync(join(root, 'node_modules', name))) continue; // optional, not for this platform
    mkdirSync(dirname(join(target, 'node_modules', name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(target, 'node_modules', name));
  }
  return { dir: target, packages: packages.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (dir === undefined) {
    console.error('usage: node scripts/stage-runtime.mjs DIR');
    process.exit(2);
  }
  const staged = stageRuntime(dir);
  console.log(`stage-runtime: ${staged.dir} (dist, bin, models, package.json, ${staged.packages} production packages)`);
}
