import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { openModelDirectory, openWeights, readT5Config } from '../../src/model/index.js';
import { COMPLETION_MARKER, createGcsClient, resolveModelSource } from '../../src/storage/index.js';
import { startFakeGcs, type FakeGcs } from '../storage/fake-gcs-server.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;

async function run(argv: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  const code = await main(['node', 'llm-deploy', ...argv], { stdout, stderr, env, stdin: new PassThrough() });
  return { code, stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() };
}

describe('llm-deploy convert (CLI)', () => {
  let fake: FakeGcs;
  let work: string;
  before(async () => {
    fake = await startFakeGcs();
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-convert-cli-'));
  });
  after(async () => {
    await fake.close();
    await rm(work, { recursive: true, force: true });
  });

  it('converts a gated model to gs:// (bf16 runtime by default), marker uploaded last, and serve-side reading works', async () => {
    const env = { STORAGE_EMULATOR_HOST: fake.endpoint, LLM_DEPLOY_CACHE: join(work, 'cache') };
    const source = join(fixtures, 't5-tiny-gated');
    const result = await run(['convert', '--model', source, '--to', 'fastertransformer', '--out', 'gs://models/flan-ft'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /data_type bf16/);
    assert.match(result.stderr, /\[\d+\/\d+\]/, 'progress lines');
    const uploads = fake.seen.filter((request) => request.method === 'POST' && request.objectName !== undefined);
    assert.equal(uploads.at(-1)?.objectName, `flan-ft/${COMPLETION_MARKER}`);
    const local = await resolveModelSource('gs://models/flan-ft', {
      cacheDir: join(work, 'cache'),
      client: createGcsClient({ apiEndpoint: fake.endpoint }),
    });
    const model = await openModelDirectory(local);
    const converted = await model.openWeights();
    const original = await openWeights(source, await readT5Config(source));
    for (const name of original.names()) assert.deepEqual(converted.read(name), original.read(name), name);
    original.close();
  });

  it('warns on fp16 for a gated model, and exits 2 on a bad tensor-parallel size', async () => {
    const source = join(fixtures, 't5-tiny-gated');
    const fp16 = await run(
      ['convert', '--model', source, '--to', 'fastertransformer', '--dtype', 'fp16', '--data-type', 'fp16', '--out', join(work, 'fp16')],
      {},
    );
    assert.equal(fp16.code, 0, fp16.stderr);
    assert.match(fp16.stderr, /warning: .*overflow fp16/);
    const bad = await run(
      ['convert', '--model', source, '--to', 'fastertransformer', '--tensor-parallel', '3', '--out', join(work, 'bad')],
      {},
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tensor parallel size does not divide/);
  });
});
