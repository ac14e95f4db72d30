// `llm-deploy serve --model gs://...` as a user runs it against a Cloud Storage emulator: the
// STORAGE_EMULATOR_HOST form without a scheme (what the Go client documents) must work as well.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeGcs } from '../storage/fake-gcs-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 't5-tiny-relu');

describe('llm-deploy serve --model gs:// (child process, loopback GCS)', () => {
  it('downloads through STORAGE_EMULATOR_HOST=host:port and becomes ready', async () => {
    const fake = await startFakeGcs();
    const cache = await mkdtemp(join(tmpdir(), 'llm-deploy-serve-gcs-'));
    for (const name of await readdir(FIXTURE)) {
      if (name !== 'pytorch_model.bin' && name !== 'expected.json') fake.put('models', `t5/${name}`, await readFile(join(FIXTURE, name)));
    }
    const host = fake.endpoint.replace(/^http:\/\//, '');
    const child = spawn(
      process.execPath,
      ['bin/llm-deploy.js', 'serve', '--model', 'gs://models/t5', '--host', '127.0.0.1', '--port', '0', '--threads', '1'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STORAGE_EMULATOR_HOST: host, LLM_DEPLOY_CACHE: cache } },
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          output += `${line}\n`;
          const entry: unknown = JSON.parse(line);
          if (typeof entry === 'object' && entry !== null && 'url' in entry && typeof entry.url === 'string') resolve(entry.url);
        });
        child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${output}`)));
      });
      let status = 0;
      for (let tries = 0; tries < 300 && status !== 200; tries += 1) {
        status = (await fetch(`${url}/health/ready`)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status, 200, output);
      assert.ok(fake.seen.some((request) => request.objectName === 't5/model.safetensors'));
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await fake.close();
      await rm(cache, { recursive: true, force: true });
    }
  });
});
