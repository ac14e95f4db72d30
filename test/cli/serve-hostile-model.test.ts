import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './run-cli.js';

// `serve` with a model directory it cannot use must stop with the reason, not hang or come up ready.
const fixture = new URL('../fixtures/t5-tiny-relu/', import.meta.url).pathname;

function serve(dir: string): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const args = ['--', 'bin/llm-deploy.js', 'serve', '--model', dir, '--host', '127.0.0.1', '--port', '0'];
    const options = {
      cwd: ROOT,
      timeout: 60_000,
      killSignal: 'SIGKILL' as const,
      env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() },
    };
    execFile(process.execPath, args, options, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr, timedOut: error?.killed === true });
    });
  });
}

describe('serve refuses hostile model directories at start-up', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-serve-hostile-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('a generation_config.json with num_beams 10^6 stops serve with the field named', { timeout: 90_000 }, async () => {
    const dir = join(work, 'beams');
    await cp(fixture, dir, { recursive: true });
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ num_beams: 1_000_000 }));
    const result = await serve(dir);
    assert.equal(result.timedOut, false, 'serve kept running with a generation config every request would fail on');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /generation_config\.json: num_beams/);
  });

  for (const name of ['config.json', 'model.safetensors']) {
    it(`a FIFO as ${name} stops serve instead of hanging it`, { timeout: 90_000 }, async () => {
      const dir = join(work, `fifo-${name}`);
      await cp(fixture, dir, { recursive: true });
      await rm(join(dir, name));
      execFileSync('mkfifo', [join(dir, name)]);
      const result = await serve(dir);
      assert.equal(result.timedOut, false, 'serve hung on a FIFO');
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, new RegExp(`${name.replace('.', '\\.')}.*FIFO`));
    });
  }
});
