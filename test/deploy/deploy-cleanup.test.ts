import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runCli } from '../cli/run-cli.js';
import { alive, freePort } from './process-helpers.js';

/** The pid the server wrote into its log's state, read from deploy's "ready (pid N" line. */
function deployedPid(stdout: string): number {
  const match = stdout.match(/is ready \(pid (\d+)/);
  assert.ok(match?.[1] !== undefined, stdout);
  return Number(match[1]);
}

describe('deploy --cleanup on the local target (real server, the demo model)', () => {
  let work = '';
  let stateRoot = '';
  let envFile = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-cleanup-'));
    stateRoot = join(work, 'state');
    envFile = join(work, 'demo.env');
    const spec = [
      `MODEL_SOURCE_PATH=${join(ROOT, 'models/demo-t5')}`,
      'GPU_COUNT_PER_MODEL=1',
      'MODEL_NAME=demo',
      `PORT=${await freePort()}`,
      `LLM_DEPLOY_STATE=${stateRoot}`,
      'DRAIN_TIMEOUT_MS=3000',
    ];
    await writeFile(envFile, spec.join('\n'));
  });

  after(async () => {
    await runCli(['teardown', '--env-file', envFile]);
    await rm(work, { recursive: true, force: true });
  });

  it('the bundled payload expects what the PyTorch reference answered', async () => {
    const payload = JSON.parse(await readFile(join(ROOT, 'models/demo-t5/predict_payload.json'), 'utf8')) as { instances: string[] };
    const result = JSON.parse(await readFile(join(ROOT, 'models/demo-t5/predict_result.json'), 'utf8')) as { predictions: string[] };
    const reference = JSON.parse(await readFile(join(ROOT, 'test/demo-model/__fixtures__/torch-greedy.json'), 'utf8')) as {
      items: { input: string; output_text: string }[];
    };
    const byInput = new Map(reference.items.map((item) => [item.input, item.output_text]));
    assert.ok(payload.instances.length >= 3);
    assert.deepEqual(
      result.predictions,
      payload.instances.map((input) => byInput.get(input)),
    );
  });

  it('--verify without -i/-o uses the bundled payload; --cleanup then stops the server and removes its state', async () => {
    const run = await runCli(['deploy', '--env-file', envFile, '--verify', '--cleanup']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok: the reply of .*\/infer equals .*predict_result\.json/);
    assert.match(run.stdout, /demo: stopped and removed/);
    assert.ok(!alive(deployedPid(run.stdout)), 'the server still runs after --cleanup');
    assert.ok(!existsSync(join(stateRoot, 'demo')));
  });

  it('a failed verify still cleans up, and the exit code says it failed', async () => {
    const expected = join(work, 'wrong.json');
    await writeFile(expected, JSON.stringify({ predictions: ['not what the model says'] }));
    const input = join(work, 'in.json');
    await writeFile(input, JSON.stringify({ instances: ['number to words: 40'] }));
    const run = await runCli(['deploy', '--env-file', envFile, '--verify', '-i', input, '-o', expected, '--cleanup']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /differs from/);
    assert.match(run.stdout, /demo: stopped and removed/);
    assert.ok(!alive(deployedPid(run.stdout)), 'the server still runs after a failed verify with --cleanup');
    assert.ok(!existsSync(join(stateRoot, 'demo')));
  });

  it('--verify without -i/-o on a model with no bundled payload says -i/-o are needed, before deploying', async () => {
    const other = join(work, 'tiny.env');
    const spec = (await readFile(envFile, 'utf8')).replace(
      /^MODEL_SOURCE_PATH=.*$/m,
      `MODEL_SOURCE_PATH=${join(ROOT, 'test/fixtures/t5-tiny-relu')}`,
    );
    await writeFile(other, spec);
    const run = await runCli(['deploy', '--env-file', other, '--verify', '--cleanup']);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /--verify needs -i and -o/);
    assert.match(run.stderr, /predict_payload\.json/);
    assert.ok(!existsSync(join(stateRoot, 'demo')));
  });
});
