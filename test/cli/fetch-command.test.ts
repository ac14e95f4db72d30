// `llm-deploy fetch SRC DEST` against the loopback Hub and Cloud Storage: DEST is complete (marker) or absent, a second
// fetch downloads nothing, progress and notes go to stderr, and the exit code tells a user's mistake from a failure.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMPLETION_MARKER } from '../../src/storage/index.js';
import { startFakeGcs, type FakeGcs } from '../storage/fake-gcs-server.js';
import { startFakeHub, type FakeHub } from '../storage/fake-hub-server.js';
import { runCli, runMain } from './run-cli.js';

const WEIGHTS = Buffer.alloc(70_000, 3);

describe('llm-deploy fetch', () => {
  let hub: FakeHub;
  let gcs: FakeGcs;
  let work: string;
  let env: Record<string, string>;
  before(async () => {
    [hub, gcs] = await Promise.all([startFakeHub(), startFakeGcs()]);
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-fetch-'));
    env = { HOME: work, LLM_DEPLOY_CACHE: join(work, 'cache'), HF_ENDPOINT: hub.endpoint, STORAGE_EMULATOR_HOST: gcs.endpoint };
    hub.addRepo('google/t5-mini', {
      'config.json': { data: Buffer.from('{"model_type":"t5"}'), lfs: false },
      'model.safetensors': { data: WEIGHTS, lfs: true },
      'tf_model.h5': { data: Buffer.alloc(500, 1), lfs: true },
    });
    hub.addRepo('meta/gated', { 'config.json': { data: Buffer.from('{}'), lfs: false } }, { gated: true, tokens: ['hf_ok'] });
    gcs.put('models', 't5/config.json', Buffer.from('{}'));
    gcs.put('models', 't5/model.safetensors', WEIGHTS);
  });
  after(async () => {
    await Promise.all([hub.close(), gcs.close()]);
    await rm(work, { recursive: true, force: true });
  });

  it('hf://: DEST holds the files loading needs and the completion marker; a second fetch downloads nothing', async () => {
    const dest = join(work, 'hf-dest');
    const first = await runCli(['fetch', 'hf://google/t5-mini', dest], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `${dest}\n`);
    assert.match(first.stderr, /note: .*skipped 1 files .*tf_model\.h5/);
    assert.deepEqual((await readdir(dest)).filter((name) => !name.startsWith('.')).sort(), [
      COMPLETION_MARKER,
      'config.json',
      'model.safetensors',
    ]);
    assert.deepEqual(await readFile(join(dest, 'model.safetensors')), WEIGHTS);
    const seen = hub.seen.length;
    const marker = await stat(join(dest, COMPLETION_MARKER));
    const second = await runMain(['fetch', 'hf://google/t5-mini', dest], '', env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /already up to date/);
    assert.ok(!hub.seen.slice(seen).some((request) => request.path.includes('/resolve/')), 'nothing downloaded');
    assert.equal((await stat(join(dest, COMPLETION_MARKER))).mtimeMs, marker.mtimeMs);
  });

  it('gs:// and the /gcs/ FUSE form give the same complete DEST', async () => {
    for (const source of ['gs://models/t5', '/gcs/models/t5']) {
      const dest = join(work, `gcs-dest-${source.startsWith('gs') ? 'a' : 'b'}`);
      const run = await runMain(['fetch', source, dest], '', env);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readFile(join(dest, 'model.safetensors')), WEIGHTS);
      assert.ok((await readdir(dest)).includes(COMPLETION_MARKER));
    }
  });

  it('a local directory is copied with the marker; DEST equal to SRC is left as it is', async () => {
    const source = join(work, 'local-src');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'config.json'), '{}');
    const run = await runMain(['fetch', source, join(work, 'local-dest')], '', env);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await readdir(join(work, 'local-dest'))).sort(), [COMPLETION_MARKER, 'config.json']);
    const same = await runMain(['fetch', source, source], '', env);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /already in place/);
    assert.deepEqual(await readdir(source), ['config.json']);
  });

  it('refuses a non-empty DEST it did not complete (exit 2) unless --force', async () => {
    const dest = join(work, 'occupied');
    await mkdir(dest, { recursive: true });
    await writeFile(join(dest, 'notes.txt'), 'mine');
    const refused = await runMain(['fetch', 'hf://google/t5-mini', dest], '', env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /destination is not empty/);
    assert.equal(await readFile(join(dest, 'notes.txt'), 'utf8'), 'mine');
    const forced = await runMain(['fetch', 'hf://google/t5-mini', dest, '--force'], '', env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(!(await readdir(dest)).includes('notes.txt'));
  });

  it('a gated repo without HF_TOKEN exits 2 naming HF_TOKEN, and leaves no DEST; with the token it completes', async () => {
    const dest = join(work, 'gated-dest');
    const denied = await runMain(['fetch', 'hf://meta/gated', dest], '', env);
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /meta\/gated is gated.*HF_TOKEN is not set/s);
    await assert.rejects(stat(dest));
    const allowed = await runMain(['fetch', 'hf://meta/gated', dest], '', { ...env, HF_TOKEN: 'hf_ok' });
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('reports progress of large files on stderr, and --help says what it does and its exit codes', async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, 8);
    hub.addRepo('org/big', { 'config.json': { data: Buffer.from('{}'), lfs: false }, 'model.safetensors': { data: big, lfs: true } });
    const run = await runMain(['fetch', 'hf://org/big', join(work, 'big-dest')], '', env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /download model\.safetensors: 17\.0 of 17\.0 MiB \(100%\)/);
    const help = await runMain(['fetch', '--help'], '', env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: llm-deploy fetch \[options\] <src> <dest>/);
    assert.match(help.stdout, /Exit 0: DEST is complete/);
  });

  it('an unreachable Hub fails with exit 1 and names HF_ENDPOINT', async () => {
    const run = await runMain(['fetch', 'hf://org/never-fetched', join(work, 'never')], '', { ...env, HF_ENDPOINT: 'http://127.0.0.1:9' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot reach the Hub at http:\/\/127\.0\.0\.1:9.*HF_ENDPOINT/s);
  });
});
