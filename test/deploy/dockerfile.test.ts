import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ROOT } from '../cli/run-cli.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions with their stage index; continuation lines joined, comments dropped. */
function parseDockerfile(text: string): { stage: number; instruction: Instruction }[] {
  const joined = text.replace(/\\\n/g, ' ');
  let stage = -1;
  const out: { stage: number; instruction: Instruction }[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\w+)\s+(.*)$/.exec(line);
    assert.ok(match !== null, `not an instruction: ${line}`);
    const instruction = { keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '' };
    if (instruction.keyword === 'FROM') stage += 1;
    out.push({ stage, instruction });
  }
  return out;
}

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const all = parseDockerfile(text);
  const finalStage = Math.max(...all.map((entry) => entry.stage));
  const final = all.filter((entry) => entry.stage === finalStage).map((entry) => entry.instruction);
  const args = (keyword: string) => final.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

  const runs = all.filter((entry) => entry.instruction.keyword === 'RUN').map((entry) => entry.instruction.args);
  const copiedIntoFinal = args('COPY').map((copy) => copy.split(/\s+/));

  it('is multi-stage on Node 24 bookworm-slim', () => {
    assert.ok(finalStage >= 1, 'at least two stages');
    assert.match(text, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    assert.ok(
      all.filter((entry) => entry.instruction.keyword === 'FROM').every((entry) => entry.instruction.args.startsWith('${NODE_IMAGE}')),
    );
  });

  it('compiles in the build stage: npm ci with the development dependencies, npm run build, then prunes them', () => {
    const build = all
      .filter((entry) => entry.stage < finalStage && entry.instruction.keyword === 'RUN')
      .map((entry) => entry.instruction.args);
    const steps = build.join(' && ');
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((step) => steps.indexOf(step));
    assert.ok(
      order.every((index) => index >= 0),
      `build stage runs npm ci, npm run build, npm prune --omit=dev: ${steps}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'in that order',
    );
    assert.ok(!/npm ci --omit=dev/.test(steps), 'the build needs typescript, a development dependency');
    assert.match(text, /^ARG ONNXRUNTIME_NODE_INSTALL=skip$/m);
    assert.match(text, /ONNXRUNTIME_NODE_INSTALL="\$\{ONNXRUNTIME_NODE_INSTALL\}" npm ci/);
  });

  it('the final stage holds only the compiled runtime: dist/, bin/, models/, package.json and the pruned node_modules', () => {
    const sources = copiedIntoFinal.map((words) => words.find((word) => word.startsWith('/app/')) ?? words.join(' '));
    assert.deepEqual([...sources].sort(), ['/app/bin', '/app/dist', '/app/models', '/app/node_modules', '/app/package.json']);
    assert.ok(
      copiedIntoFinal.every((words) => words[0] === '--from=build'),
      'everything comes from the build stage',
    );
    assert.ok(
      !final.some((instruction) => /\bsrc\b|tsx|tsconfig/.test(instruction.args)),
      'no sources, tsx or tsconfig in the final stage',
    );
    assert.ok(
      !final.some((instruction) => instruction.keyword === 'RUN' && /npm (ci|install)/.test(instruction.args)),
      'nothing installed there',
    );
  });

  it('the final stage runs as a non-root user, exposes 5000, runs llm-deploy serve and bakes in no AIP_ setting', () => {
    const users = args('USER');
    assert.ok(users.length > 0, 'USER is set');
    assert.ok(!['root', '0', '0:0'].includes(users.at(-1) ?? 'root'));
    assert.deepEqual(args('EXPOSE'), ['5000']);
    assert.deepEqual(args('ENTRYPOINT'), ['["llm-deploy"]']);
    assert.deepEqual(args('CMD'), ['["serve"]']);
    const env = all.filter((entry) => ['ENV', 'ARG'].includes(entry.instruction.keyword)).map((entry) => entry.instruction.args);
    assert.ok(!env.some((value) => /AIP_/.test(value)), 'no AIP_* baked in');
  });

  it('the demo model is optional, and models/ exists either way (the final stage copies it)', () => {
    assert.match(text, /^ARG WITH_DEMO_MODEL=true$/m);
    const steps = runs.join(' && ');
    assert.match(steps, /if \[ "\$\{WITH_DEMO_MODEL\}" != "true" \]; then rm -rf models\/demo-t5 models\/demo-llama; fi/);
    assert.match(steps.slice(steps.indexOf('WITH_DEMO_MODEL')), /mkdir -p models/);
  });

  it('.dockerignore keeps node_modules, tests and the git history out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', 'test']) assert.ok(ignored.includes(entry), entry);
    for (const needed of ['src', 'bin', 'models', 'package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'tsconfig.build.json']) {
      assert.ok(!ignored.includes(needed), `${needed} must reach the build`);
    }
    // npm run build is scripts/build.mjs: scripts/ stays out, that one file comes back in.
    const manifest = z
      .object({ scripts: z.object({ build: z.string() }) })
      .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
    const build = /^node (\S+)$/.exec(manifest.scripts.build)?.[1];
    assert.equal(build, 'scripts/build.mjs');
    assert.ok(ignored.indexOf(`!${build}`) > ignored.indexOf('scripts'), `${build} must reach the build`);
  });
});

describe('docker/triton-fastertransformer.Dockerfile', () => {
  const steps = parseDockerfile(readFileSync(join(ROOT, 'docker', 'triton-fastertransformer.Dockerfile'), 'utf8'));
  const args = (keyword: string): string[] =>
    steps.filter((step) => step.instruction.keyword === keyword).map((step) => step.instruction.args);

  it('builds the fastertransformer backend against the Triton release it runs on, and installs it into the runtime stage', () => {
    const froms = args('FROM');
    assert.equal(froms.length, 2);
    for (const from of froms) assert.match(from, /^nvcr\.io\/nvidia\/tritonserver:\$\{TRITON_VERSION\}-py3/);
    const run = args('RUN').join('\n');
    assert.match(run, /fastertransformer_backend\.git/);
    for (const repo of ['COMMON', 'CORE', 'BACKEND']) assert.match(run, new RegExp(`TRITON_${repo}_REPO_TAG="r\\$\\{TRITON_VERSION\\}"`));
    assert.match(run, /CMAKE_INSTALL_PREFIX=\/opt\/tritonserver/);
    assert.ok(steps.some((step) => step.stage === 1 && /\/opt\/tritonserver\/backends\/fastertransformer$/.test(step.instruction.args)));
  });

  it('the default TRITON_IMAGE is the image published from it, next to the server image', async () => {
    const { SETTINGS } = await import('../../src/config/index.js');
    const triton = SETTINGS.find((setting) => setting.key === 'TRITON_IMAGE');
    const server = SETTINGS.find((setting) => setting.key === 'INFERENCING_IMAGE_URI');
    assert.ok(triton?.defaultValue !== undefined && server?.defaultValue !== undefined);
    assert.equal(triton.defaultValue.replace(/\/[^/]+$/, ''), server.defaultValue.replace(/\/[^/]+$/, ''));
    assert.match(triton.defaultValue, /\/triton-fastertransformer:22\.12$/);
  });
});
