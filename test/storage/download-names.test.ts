import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { resolveModelSource, type GcsClient } from '../../src/storage/index.js';
import type { FakeGcs } from './fake-gcs-server.js';
import { closeGcsWorkspace, openGcsWorkspace } from './gcs-workspace.js';

const unsafe = (error: unknown): boolean => LlmDeployError.isInstance(error) && error.code === 'STORAGE_OBJECT_NAME_UNSAFE';

describe('gs:// downloads never write outside the cache', () => {
  let fake: FakeGcs;
  let client: GcsClient;
  let work: string;
  before(async () => ({ fake, client, work } = await openGcsWorkspace('llm-deploy-names-')));
  after(() => closeGcsWorkspace({ fake, client, work }));

  it('refuses m/../../../../<dir>/x: the existing file there is untouched and nothing is downloaded', async () => {
    const outside = await mkdtemp(join(work, 'outside-'));
    await writeFile(join(outside, 'x'), 'original');
    const name = `m/${'../'.repeat(40)}${outside.slice(1)}/x`;
    fake.put('bucket-t', 'm/config.json', Buffer.from('{}'));
    fake.put('bucket-t', name, Buffer.from('attacker'));
    fake.seen.length = 0;
    const cacheDir = join(work, 'cache-t');
    await assert.rejects(resolveModelSource('gs://bucket-t/m', { cacheDir, client }), (error: unknown) => {
      assert.ok(unsafe(error), String(error));
      assert.ok(LlmDeployError.isInstance(error));
      assert.equal(error.file, `gs://bucket-t/${name}`);
      assert.equal(error.httpStatus, 422);
      assert.ok(error.expected !== undefined && error.expected.length > 0);
      return true;
    });
    assert.equal(await readFile(join(outside, 'x'), 'utf8'), 'original');
    assert.deepEqual(await readdir(outside), ['x']);
    assert.deepEqual(
      fake.seen.filter((request) => request.objectName !== undefined),
      [],
      'no object was fetched: the listing is checked first',
    );
    assert.deepEqual(await readdir(join(cacheDir, 'gcs', 'bucket-t')).catch(() => []), []);
  });

  const cases: ReadonlyArray<readonly [string, string]> = [
    ['absolute below the prefix', 'm//etc/llm-deploy-x'],
    ['backslash', 'm/sub\\..\\..\\x.bin'],
    ['NUL', 'm/a\0b.bin'],
    ['empty segment', 'm/a//b.bin'],
    ['"." segment', 'm/./config.json'],
    ['segment over 255 bytes', `m/${'w'.repeat(256)}.bin`],
    ['multi-byte segment over 255 bytes', `m/${'é'.repeat(128)}`],
    ['the cache record name', 'm/.llm-deploy-cache.json'],
  ];
  for (const [label, name] of cases) {
    it(`refuses an object name with ${label}, before downloading anything`, async () => {
      const bucket = `bucket-${label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')}`;
      fake.put(bucket, 'm/config.json', Buffer.from('{}'));
      fake.put(bucket, name, Buffer.from('payload'));
      fake.seen.length = 0;
      const cacheDir = join(work, `cache-${bucket}`);
      await assert.rejects(resolveModelSource(`gs://${bucket}/m`, { cacheDir, client }), unsafe);
      assert.deepEqual(
        fake.seen.filter((request) => request.objectName !== undefined),
        [],
      );
      assert.deepEqual(await readdir(join(cacheDir, 'gcs', bucket)).catch(() => []), []);
    });
  }

  it('downloads names that are unusual but safe (spaces, unicode, dots inside segments)', async () => {
    const names = ['m/a b/c.json', 'm/..hidden/x', 'm/ünï/ok...bin', `m/${'z'.repeat(255)}`];
    for (const name of names) fake.put('bucket-ok', name, Buffer.from(name));
    const local = await resolveModelSource('gs://bucket-ok/m', { cacheDir: join(work, 'cache-ok'), client });
    for (const name of names) assert.equal(await readFile(join(local, ...name.slice(2).split('/')), 'utf8'), name);
  });

  it('does not follow a symlink planted where the staging folder would be created', async () => {
    fake.put('bucket-l', 'm/config.json', Buffer.from('{"model_type":"t5"}'));
    const cacheDir = join(work, 'cache-l');
    const first = await resolveModelSource('gs://bucket-l/m', { cacheDir, client });
    fake.put('bucket-l', 'm/weights.bin', Buffer.from('new weights'));
    const outside = await mkdtemp(join(work, 'redirect-'));
    // The staging name used to be <target>.partial-<pid>-<Date.now()>: plant links for the next seconds.
    const now = Date.now();
    for (let ms = 0; ms < 3000; ms += 1) await symlink(outside, `${first}.partial-${process.pid}-${now + ms}`);
    const second = await resolveModelSource('gs://bucket-l/m', { cacheDir, client });
    assert.equal(second, first);
    assert.deepEqual(await readdir(outside), [], 'nothing was written through the link');
    assert.equal(await readFile(join(second, 'weights.bin'), 'utf8'), 'new weights');
  });

  it("removes a killed run's .partial-* folder on the next download, but keeps a live process's", async () => {
    fake.put('bucket-p', 'm/config.json', Buffer.from('{}'));
    const cacheDir = join(work, 'cache-p');
    const target = await resolveModelSource('gs://bucket-p/m', { cacheDir, client });
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      assert.ok(live.pid !== undefined);
      // Linux pids stay below 2^22, so this one belongs to no process.
      const dead = `${target}.partial-99999999-1700000000000`;
      const alive = `${target}.partial-${live.pid}-abc123`;
      for (const folder of [dead, alive]) {
        await mkdir(join(folder, 'sub'), { recursive: true });
        await writeFile(join(folder, 'sub', 'weights.bin'), 'half');
      }
      fake.put('bucket-p', 'm/extra.json', Buffer.from('{}'));
      await resolveModelSource('gs://bucket-p/m', { cacheDir, client });
      const left = (await readdir(dirname(target))).filter((entry) => entry.startsWith(`${basename(target)}.partial-`));
      assert.deepEqual(left, [basename(alive)]);
    } finally {
      live.kill();
    }
  });
});
