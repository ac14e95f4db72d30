// Hub downloads (hf://org/name[@revision], bare org/name) against the loopback Hub: the files loading needs, verified,
// cached by commit, resumed with Range after a cut connection, and clear errors for gated, private, missing and unreachable.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { CACHE_RECORD, createHubClient, resolveModelSource, type ResolveOptions } from '../../src/storage/index.js';
import { startFakeHub, type FakeHub } from './fake-hub-server.js';

const lfs = (data: Buffer): { data: Buffer; lfs: boolean } => ({ data, lfs: true });
const git = (text: string): { data: Buffer; lfs: boolean } => ({ data: Buffer.from(text), lfs: false });
const WEIGHTS = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 7) % 251));

function failsWith(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.match(`${error.message} ${error.expected ?? ''}`, pattern);
    return true;
  };
}

describe('Hugging Face Hub downloads', () => {
  let fake: FakeHub;
  let cacheDir: string;
  const options = (extra: Partial<ResolveOptions> & { token?: string } = {}): ResolveOptions => ({
    cacheDir,
    hubClient: createHubClient({ endpoint: fake.endpoint, ...(extra.token === undefined ? {} : { token: extra.token }) }),
    ...extra,
  });
  before(async () => {
    fake = await startFakeHub();
    cacheDir = await mkdtemp(join(tmpdir(), 'llm-deploy-hub-'));
    fake.addRepo('google/flan-t5-tiny', {
      'config.json': git('{"model_type":"t5"}'),
      'generation_config.json': git('{}'),
      'model.safetensors': lfs(WEIGHTS),
      'pytorch_model.bin': lfs(Buffer.alloc(1000, 1)),
      'tf_model.h5': lfs(Buffer.alloc(1000, 2)),
      'flax_model.msgpack': lfs(Buffer.alloc(1000, 3)),
      'spiece.model': lfs(Buffer.alloc(5000, 4)),
      'tokenizer_config.json': git('{"legacy":true}'),
      'README.md': git('# flan-t5-tiny\n'),
    });
  });
  after(async () => {
    await fake.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads a bare org/name: only the files loading reads, verified, and says what it skipped', async () => {
    const notices: string[] = [];
    const dir = await resolveModelSource('google/flan-t5-tiny', options({ onNotice: (line) => notices.push(line) }));
    assert.deepEqual((await readdir(dir)).sort(), [
      CACHE_RECORD,
      'README.md',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'spiece.model',
      'tokenizer_config.json',
    ]);
    assert.deepEqual(await readFile(join(dir, 'model.safetensors')), WEIGHTS);
    assert.match(
      notices.join('\n'),
      /skipped 3 files \(3000 bytes\) .*\(it reads model\.safetensors\): flax_model\.msgpack, pytorch_model\.bin, tf_model\.h5/,
    );
    assert.ok(
      fake.seen.every((request) => request.authorization === undefined),
      'no HF_TOKEN, no Authorization header',
    );
    assert.ok(fake.seen.some((request) => request.path === '/api/models/google/flan-t5-tiny/revision/main'));
  });

  it('a second fetch of the same revision downloads nothing (cached by commit)', async () => {
    const first = await resolveModelSource('hf://google/flan-t5-tiny', options());
    const seen = fake.seen.length;
    assert.equal(await resolveModelSource('hf://google/flan-t5-tiny@main', options()), first);
    const later = fake.seen.slice(seen);
    assert.deepEqual(
      later.map((request) => request.path),
      ['/api/models/google/flan-t5-tiny/revision/main'],
    );
    assert.ok(first.endsWith(join('hub', 'google--flan-t5-tiny', fake.repos.get('google/flan-t5-tiny')?.commit ?? '?')));
  });

  it('reads a revision with "/" in it (percent-encoded as huggingface_hub does) and refuses an unknown one', async () => {
    const repo = fake.addRepo('org/pr-model', { 'config.json': git('{}'), 'model.safetensors': lfs(Buffer.alloc(64, 9)) });
    repo.revisions.add('refs/pr/1');
    const dir = await resolveModelSource('hf://org/pr-model@refs/pr/1', options());
    assert.deepEqual(await readFile(join(dir, 'model.safetensors')), Buffer.alloc(64, 9));
    await assert.rejects(
      resolveModelSource('hf://org/pr-model@v9', options()),
      failsWith('STORAGE_NOT_FOUND', /has no such revision "v9"/),
    );
  });

  it('a gated repo: 401 without HF_TOKEN says to set it, 403 with a token lacking access says to check it, the right token reads it', async () => {
    fake.addRepo(
      'meta/gated',
      { 'config.json': git('{}'), 'model.safetensors': lfs(Buffer.alloc(32, 5)) },
      { gated: true, tokens: ['hf_good'] },
    );
    await assert.rejects(
      resolveModelSource('hf://meta/gated', options()),
      failsWith('STORAGE_ACCESS_DENIED', /meta\/gated is gated.*HF_TOKEN is not set/),
    );
    await assert.rejects(
      resolveModelSource('hf://meta/gated', options({ token: 'hf_other' })),
      failsWith('STORAGE_ACCESS_DENIED', /HF_TOKEN was sent/),
    );
    const seen = fake.seen.length;
    const dir = await resolveModelSource('hf://meta/gated', options({ token: 'hf_good' }));
    assert.deepEqual(await readFile(join(dir, 'model.safetensors')), Buffer.alloc(32, 5));
    const calls = fake.seen.slice(seen);
    assert.ok(calls.filter((request) => !request.path.startsWith('/cdn/')).every((request) => request.authorization === 'Bearer hf_good'));
    const cdn = calls.filter((request) => request.path.startsWith('/cdn/'));
    assert.ok(cdn.length > 0 && cdn.every((request) => request.authorization === undefined), 'HF_TOKEN is not sent to the CDN');
  });

  it('a missing or private repo: 401 RepoNotFound anonymously, 404 with a token; both name the repo', async () => {
    fake.addRepo('acme/private', { 'config.json': git('{}') }, { private: true, tokens: ['hf_acme'] });
    await assert.rejects(
      resolveModelSource('hf://acme/private', options()),
      failsWith('STORAGE_ACCESS_DENIED', /acme\/private was not found, or is private or gated.*HF_TOKEN is not set/),
    );
    await assert.rejects(
      resolveModelSource('hf://acme/nothing', options({ token: 'hf_acme' })),
      failsWith('STORAGE_NOT_FOUND', /acme\/nothing/),
    );
  });

  it('a Hub that cannot be reached names the endpoint and HF_ENDPOINT', async () => {
    const unreachable: ResolveOptions = { cacheDir, hubClient: createHubClient({ endpoint: 'http://127.0.0.1:9' }) };
    await assert.rejects(
      resolveModelSource('hf://google/never-downloaded', unreachable),
      failsWith('STORAGE_HUB_UNREACHABLE', /cannot reach the Hub at http:\/\/127\.0\.0\.1:9.*HF_ENDPOINT/),
    );
  });

  it('while the Hub cannot be reached, a revision downloaded before is served from the cache, and says so', async () => {
    const online = await resolveModelSource('hf://google/flan-t5-tiny@main', options());
    const notices: string[] = [];
    const offline: ResolveOptions = {
      cacheDir,
      hubClient: createHubClient({ endpoint: 'http://127.0.0.1:9' }),
      onNotice: (line) => notices.push(line),
    };
    assert.equal(await resolveModelSource('hf://google/flan-t5-tiny@main', offline), online);
    assert.match(notices.join('\n'), /cannot reach the Hub.*using the cached download of commit [0-9a-f]{40}/);
    await assert.rejects(resolveModelSource('hf://google/flan-t5-tiny@v2', offline), failsWith('STORAGE_HUB_UNREACHABLE', /cannot reach/));
  });

  it('a cut transfer resumes from its partial file with a Range request, in the next run', async () => {
    fake.addRepo('org/resume', { 'config.json': git('{}'), 'model.safetensors': lfs(WEIGHTS) });
    fake.cutDownloads.set('model.safetensors', 100_000);
    const once = { retry: { attempts: 1, initialDelayMs: 1 } };
    await assert.rejects(resolveModelSource('hf://org/resume', options(once)));
    const seen = fake.seen.length;
    const dir = await resolveModelSource('hf://org/resume', options());
    assert.deepEqual(await readFile(join(dir, 'model.safetensors')), WEIGHTS);
    const ranges = fake.seen.slice(seen).flatMap((request) => (request.range === undefined ? [] : [request.range]));
    assert.ok(
      ranges.length > 0 && ranges.every((range) => /^bytes=\d+-$/.test(range) && range !== 'bytes=0-'),
      JSON.stringify(fake.seen.slice(seen)),
    );
    assert.ok(Number(/\d+/.exec(ranges[0] ?? '')?.[0]) >= 1, 'continues after the bytes already there');
  });

  it('a file that does not match its listed checksum is refused (LFS sha256 and git blob sha1)', async () => {
    fake.addRepo('org/corrupt', { 'config.json': git('{"a":1}'), 'model.safetensors': lfs(Buffer.alloc(50, 1)) });
    fake.corruptDownloads.add('model.safetensors');
    const once = { retry: { attempts: 1, initialDelayMs: 1 } };
    await assert.rejects(resolveModelSource('hf://org/corrupt', options(once)), failsWith('STORAGE_CHECKSUM_MISMATCH', /LFS sha256/));
    fake.corruptDownloads.clear();
    fake.corruptDownloads.add('config.json');
    await assert.rejects(resolveModelSource('hf://org/corrupt', options(once)), failsWith('STORAGE_CHECKSUM_MISMATCH', /git blob sha1/));
    fake.corruptDownloads.clear();
    const dir = await resolveModelSource('hf://org/corrupt', options(once));
    assert.equal(
      createHash('sha256')
        .update(await readFile(join(dir, 'model.safetensors')))
        .digest('hex'),
      createHash('sha256').update(Buffer.alloc(50, 1)).digest('hex'),
    );
  });

  it('a file gone since the listing (404) is not retried; a Hub answering 5xx is retried, then named as failing', async () => {
    const repo = fake.addRepo('org/flaky', { 'config.json': git('{}'), 'model.safetensors': lfs(Buffer.alloc(40, 6)) });
    const path = `/org/flaky/resolve/${repo.commit}/model.safetensors`;
    const twice = { retry: { attempts: 2, initialDelayMs: 1 } };
    fake.failDownloads.set('model.safetensors', 404);
    let seen = fake.seen.length;
    await assert.rejects(
      resolveModelSource('hf://org/flaky', options(twice)),
      failsWith('STORAGE_NOT_FOUND', /org\/flaky has no such file/),
    );
    assert.equal(fake.seen.slice(seen).filter((request) => request.path === path).length, 1);
    fake.failDownloads.set('model.safetensors', 503);
    seen = fake.seen.length;
    await assert.rejects(
      resolveModelSource('hf://org/flaky', options(twice)),
      failsWith('STORAGE_HUB_UNREACHABLE', /failed to answer for org\/flaky/),
    );
    assert.equal(fake.seen.slice(seen).filter((request) => request.path === path).length, 2);
    fake.failDownloads.clear();
  });

  it('a sharded checkpoint fetches only the shards its index names', async () => {
    const index = { weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } };
    fake.addRepo('org/sharded', {
      'config.json': git('{}'),
      'model.safetensors.index.json': git(JSON.stringify(index)),
      'model-00001-of-00002.safetensors': lfs(Buffer.alloc(10, 1)),
      'model-00002-of-00002.safetensors': lfs(Buffer.alloc(10, 2)),
      'model-00001-of-00001.safetensors': lfs(Buffer.alloc(20, 3)),
    });
    const notices: string[] = [];
    const dir = await resolveModelSource('hf://org/sharded', options({ onNotice: (line) => notices.push(line) }));
    assert.ok(!(await readdir(dir)).includes('model-00001-of-00001.safetensors'));
    assert.ok(
      !fake.seen.some(
        (request) =>
          request.path === '/org/sharded/resolve/' + (fake.repos.get('org/sharded')?.commit ?? '') + '/model-00001-of-00001.safetensors',
      ),
    );
    assert.match(
      notices.join('\n'),
      /skipped 1 shard files \(20 bytes\) that model\.safetensors\.index\.json does not name: model-00001-of-00001\.safetensors/,
    );
  });
});
