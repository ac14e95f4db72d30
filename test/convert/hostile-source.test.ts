import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';

// `convert` must not finish (exit 0, completion marker) with output that `serve` cannot load.
const fixture = new URL('../fixtures/t5-tiny-relu/', import.meta.url).pathname;

async function run(argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  stdout.resume();
  const code = await main(['node', 'llm-deploy', ...argv], { stdout, stderr, env: {}, stdin: new PassThrough() });
  return { code, stderr: Buffer.concat(chunks).toString() };
}

describe('convert refuses sources that serve could not load', () => {
  let work: string;
  let counter = 0;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-convert-hostile-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function source(): Promise<string> {
    const dir = join(work, `source-${(counter += 1)}`);
    await cp(fixture, dir, { recursive: true });
    await rm(join(dir, 'pytorch_model.bin'));
    return dir;
  }

  async function convertFails(dir: string, target: 'fastertransformer' | 'onnx', names: RegExp): Promise<void> {
    const out = join(work, `out-${(counter += 1)}`);
    const result = await run(['convert', '--model', dir, '--to', target, '--out', out]);
    assert.notEqual(result.code, 0, `convert exited 0 (${target})`);
    assert.match(result.stderr, names);
    assert.equal(existsSync(out), false, 'nothing may be left at the destination');
  }

  it('a garbage spiece.model fails the conversion', async () => {
    const dir = await source();
    await writeFile(join(dir, 'spiece.model'), randomBytes(300_000));
    await convertFails(dir, 'fastertransformer', /spiece\.model/);
    await convertFails(dir, 'onnx', /spiece\.model/);
  });

  it('a generation_config.json serve would refuse fails the conversion', async () => {
    const dir = await source();
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ num_beams: 1_000_000 }));
    await convertFails(dir, 'fastertransformer', /num_beams/);
  });

  it('a side file that is a dangling symlink is named, not silently dropped', async () => {
    const dir = await source();
    await rm(join(dir, 'special_tokens_map.json'));
    await symlink(join(work, 'no-such-blob'), join(dir, 'special_tokens_map.json'));
    await convertFails(dir, 'fastertransformer', /special_tokens_map\.json/);
  });

  it('side files linked outside the model (a Hugging Face cache snapshot) are copied as files', async () => {
    const dir = await source();
    const blobs = join(work, `blobs-${(counter += 1)}`);
    await mkdir(blobs);
    for (const name of ['spiece.model', 'tokenizer_config.json']) {
      await rename(join(dir, name), join(blobs, name));
      await symlink(join(blobs, name), join(dir, name));
    }
    const out = join(work, `out-${(counter += 1)}`);
    const result = await run(['convert', '--model', dir, '--to', 'fastertransformer', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const modelDir = join(out, 'fastertransformer', '1', '1-gpu');
    assert.deepEqual(readFileSync(join(modelDir, 'spiece.model')), readFileSync(join(blobs, 'spiece.model')));
    await loadTokenizer(modelDir);
  });
});
