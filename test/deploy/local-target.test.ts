import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadSettings, parseEnvFile } from '../../src/config/index.js';
import { createTarget, type TargetStatus } from '../../src/deploy/index.js';
import { ROOT, runCli } from '../cli/run-cli.js';
import { alive, freePort } from './process-helpers.js';
import { runTargetContract } from './target-contract.js';

/** A local deployment spec of the tiny fixture model. */
function tinySpec(options: { name: string; port: number; stateRoot: string }): string {
  return [
    `MODEL_SOURCE_PATH=${join(ROOT, 'test/fixtures/t5-tiny-relu')}`,
    'GPU_COUNT_PER_MODEL=1',
    `MODEL_NAME=${options.name}`,
    `PORT=${options.port}`,
    `LLM_DEPLOY_STATE=${options.stateRoot}`,
    'DRAIN_TIMEOUT_MS=3000',
  ].join('\n');
}

async function recordedPid(stateRoot: string): Promise<number> {
  return Number((await readFile(join(stateRoot, 'tiny-relu', 'server.pid'), 'utf8')).trim());
}

describe('deploy --target local, end to end (real server, real model)', () => {
  let work = '';
  let envFile = '';
  let stateRoot = '';
  let port = 0;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-local-'));
    stateRoot = join(work, 'state');
    port = await freePort();
    envFile = join(work, 'local.env');
    await writeFile(envFile, tinySpec({ name: 'tiny-relu', port, stateRoot }));
  });

  after(async () => {
    await runCli(['teardown', '--env-file', envFile]);
  });

  it('deploys, answers /infer, reports status, replaces itself on a second deploy, and tears down leaving no process', async () => {
    const deployed = await runCli(['deploy', '--env-file', envFile]);
    assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
    assert.match(deployed.stdout, /tiny-relu is ready/);
    assert.match(deployed.stdout, new RegExp(`curl -X POST http://127\\.0\\.0\\.1:${port}/infer`));
    assert.match(deployed.stderr, /GPU_COUNT_PER_MODEL=1 is ignored on the local target/);
    const firstPid = await recordedPid(stateRoot);
    assert.ok(alive(firstPid));

    const reply = await fetch(`http://127.0.0.1:${port}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: ['hello world'], parameters: { max_new_tokens: 5 } }),
    });
    assert.equal(reply.status, 200);
    const body = (await reply.json()) as { predictions: unknown[] };
    assert.equal(body.predictions.length, 1);
    assert.equal(typeof body.predictions[0], 'string');

    const status = await runCli(['status', '--env-file', envFile]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, new RegExp(`running \\(pid ${firstPid}\\).*ready`));

    const again = await runCli(['deploy', '--env-file', envFile]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`replacing the running instance \\(pid ${firstPid}\\)`));
    const secondPid = await recordedPid(stateRoot);
    assert.notEqual(secondPid, firstPid);
    assert.ok(!alive(firstPid), 'the replaced server is still running');

    const down = await runCli(['teardown', '--env-file', envFile]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /tiny-relu: stopped and removed/);
    assert.ok(!alive(secondPid), 'the server is still running after teardown');
    assert.ok(!existsSync(join(stateRoot, 'tiny-relu')));
    const gone = await runCli(['status', '--env-file', envFile]);
    assert.equal(gone.code, 1);
    assert.match(gone.stdout, /not deployed/);
  });

  it('a stale pid file is cleaned up, not trusted', async () => {
    const dir = join(stateRoot, 'tiny-relu');
    await mkdir(dir, { recursive: true });
    const record = {
      name: 'tiny-relu',
      pid: 2 ** 22 - 3,
      host: '127.0.0.1',
      port,
      modelSource: 'x',
      startedAt: new Date().toISOString(),
      command: [],
    };
    await writeFile(join(dir, 'deployment.json'), JSON.stringify(record));
    await writeFile(join(dir, 'server.pid'), `${record.pid}\n`);
    const status = await runCli(['status', '--env-file', envFile]);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /stale/);
    const down = await runCli(['teardown', '--env-file', envFile]);
    assert.match(down.stdout, /stale state removed/);
    assert.ok(!existsSync(dir));
  });

  it('teardown does not signal a reused pid, even one running another llm-deploy serve; the state is stale and removed', async () => {
    // stands in for another server that got the recorded pid: same kind of command line, later start time
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'llm-deploy', 'serve', '--port', String(port)], {
      stdio: 'ignore',
    });
    try {
      const pid = other.pid ?? 0;
      const dir = join(stateRoot, 'tiny-relu');
      await mkdir(dir, { recursive: true });
      const record = {
        name: 'tiny-relu',
        pid,
        host: '127.0.0.1',
        port,
        modelSource: 'x',
        startedAt: new Date().toISOString(),
        command: [],
        startTicks: 1,
      };
      await writeFile(join(dir, 'deployment.json'), JSON.stringify(record));
      await writeFile(join(dir, 'server.pid'), `${pid}\n`);
      const down = await runCli(['teardown', '--env-file', envFile]);
      assert.match(down.stdout, /stale state removed/, down.stdout + down.stderr);
      assert.ok(alive(pid), 'the other process was signalled');
      assert.ok(!existsSync(dir));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('a server that cannot start fails the deploy with the tail of its log', async () => {
    const badEnv = join(work, 'bad.env');
    await writeFile(
      badEnv,
      [
        `MODEL_SOURCE_PATH=${join(work, 'no-such-model')}`,
        'GPU_COUNT_PER_MODEL=1',
        'MODEL_NAME=broken',
        `PORT=${port}`,
        `LLM_DEPLOY_STATE=${stateRoot}`,
      ].join('\n'),
    );
    const run = await runCli(['deploy', '--env-file', badEnv, '--ready-timeout', '60']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /last lines of .*server\.log/);
    assert.match(run.stderr, /no-such-model/);
  });

  it('--dry-run starts nothing', async () => {
    const run = await runCli(['deploy', '--env-file', envFile, '--dry-run']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /dry run: target local/);
    assert.ok(!existsSync(join(stateRoot, 'tiny-relu')));
  });
});

runTargetContract({
  title: 'local (a real server on the tiny fixture model)',
  readyTimeoutMs: 120_000,
  create: async () => {
    const work = await mkdtemp(join(tmpdir(), 'llm-deploy-local-contract-'));
    const stateRoot = join(work, 'state');
    const port = await freePort();
    const text = tinySpec({ name: 'contract-relu', port, stateRoot });
    const { settings } = loadSettings({ mode: 'deployment', env: {}, envFile: parseEnvFile(text, { file: 'local.env', env: {} }) });
    const target = createTarget(settings, {
      selfCommand: [process.execPath, '--', join(ROOT, 'bin/llm-deploy.js')],
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', DRAIN_TIMEOUT_MS: '3000' },
      output: { stdout: new PassThrough(), stderr: new PassThrough() },
    });
    assert.equal(target.kind, 'local');
    return {
      target,
      name: 'contract-relu',
      // the only outside effect a local deploy has before it starts a process is its state directory
      calls: () => Promise.resolve(existsSync(join(stateRoot, 'contract-relu')) ? 1 : 0),
      assertReplaced: (first, second) => {
        const pid = (status: TargetStatus): unknown => {
          const record = status.details['record'];
          return typeof record === 'object' && record !== null && 'pid' in record ? record.pid : undefined;
        };
        assert.equal(typeof pid(first), 'number');
        assert.notEqual(pid(second), pid(first), 'a new server replaced the first');
        assert.ok(!alive(Number(pid(first))), 'the replaced server is still running');
      },
      close: () => rm(work, { recursive: true, force: true }),
    };
  },
});
