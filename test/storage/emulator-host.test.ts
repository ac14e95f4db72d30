import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGcsClient, resolveModelSource } from '../../src/storage/index.js';
import { startFakeGcs, type FakeGcs } from './fake-gcs-server.js';

// The official client also reads STORAGE_EMULATOR_HOST from the process environment itself, as it does
// when a user exports it; each form must work for listing, downloads and uploads alike.
describe('STORAGE_EMULATOR_HOST forms', () => {
  let fake: FakeGcs;
  let work: string;
  const saved = process.env['STORAGE_EMULATOR_HOST'];
  before(async () => {
    fake = await startFakeGcs();
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-emulator-'));
    await writeFile(join(work, 'upload.bin'), 'uploaded bytes');
  });
  after(async () => {
    if (saved === undefined) delete process.env['STORAGE_EMULATOR_HOST'];
    else process.env['STORAGE_EMULATOR_HOST'] = saved;
    await fake.close();
    await rm(work, { recursive: true, force: true });
  });

  const forms = (endpoint: string): string[] => [
    endpoint,
    `${endpoint}/`,
    endpoint.replace(/^http:\/\//, ''),
    `${endpoint}/storage/v1`,
    `${endpoint}/storage/v1/`,
  ];
  it('lists, downloads and uploads through every documented form', async () => {
    for (const [index, form] of forms(fake.endpoint).entries()) {
      process.env['STORAGE_EMULATOR_HOST'] = form;
      const client = createGcsClient({ apiEndpoint: form, maxRetries: 0 });
      fake.put('emu', `m${index}/config.json`, Buffer.from(`{"form":${index}}`));
      const local = await resolveModelSource(`gs://emu/m${index}`, { cacheDir: join(work, 'cache'), client });
      assert.equal(await readFile(join(local, 'config.json'), 'utf8'), `{"form":${index}}`, form);
      await client.upload({ bucket: 'emu', name: `up${index}/small` }, join(work, 'upload.bin'), { resumable: false });
      await client.upload({ bucket: 'emu', name: `up${index}/big` }, join(work, 'upload.bin'), { resumable: true });
      assert.equal(fake.get('emu', `up${index}/small`)?.toString(), 'uploaded bytes', form);
      assert.equal(fake.get('emu', `up${index}/big`)?.toString(), 'uploaded bytes', form);
    }
  });
});
