import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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

  it('is multi-stage on Node 20 bookworm-slim', () => {
    assert.ok(finalStage >= 1, 'at least two stages');
    assert.match(text, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.ok(
      all.filter((entry) => entry.instruction.keyword === 'FROM').every((entry) => entry.instruction.args.startsWith('${NODE_IMAGE}')),
    );
  });

  it('installs only production dependencies, skipping the onnxruntime download unless asked', () => {
    const runs = all.filter((entry) => entry.instruction.keyword === 'RUN').map((entry) => entry.instruction.args);
    assert.ok(runs.some((run) => /npm ci --omit=dev/.test(run)));
    assert.ok(!runs.some((run) => /npm (ci|install)(?!.*--omit=dev)/.test(run)), 'every npm install omits dev dependencies');
    assert.match(text, /^ARG ONNXRUNTIME_NODE_INSTALL=skip$/m);
    assert.match(text, /ONNXRUNTIME_NODE_INSTALL="\$\{ONNXRUNTIME_NODE_INSTALL\}" npm ci/);
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

  it('the demo model is optional', () => {
    assert.match(text, /^ARG WITH_DEMO_MODEL=true$/m);
    assert.match(text, /if \[ "\$\{WITH_DEMO_MODEL\}" != "true" \]; then rm -rf models; fi/);
  });

  it('.dockerignore keeps node_modules, tests and the git history out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', 'test']) assert.ok(ignored.includes(entry), entry);
    for (const needed of ['src', 'bin', 'models', 'package.json', 'package-lock.json', '.npmrc', 'tsconfig.json']) {
      assert.ok(!ignored.includes(needed), `${needed} must reach the build`);
    }
  });
});
