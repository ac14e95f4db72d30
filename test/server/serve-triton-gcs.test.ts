// `serve --backend triton` from a gs:// FasterTransformer repository (the pod's server container): Triton holds the
// weights, so the server downloads only the side files it reads (tokenizer, configs, markers), never the weight shards.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { convertToFasterTransformer } from '../../src/convert/index.js';
import { listLocalFiles } from '../../src/storage/index.js';
import { startFakeGcs } from '../storage/fake-gcs-server.js';
import { makeServer } from './support/make-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 't5-tiny-relu');

describe('llm-deploy serve --backend triton --model gs:// (child process, loopback GCS, a KServe v2 server as Triton)', () => {
  it('downloads the tokenizer and config side files, not the weights, and becomes ready', async () => {
    const work = await mkdtemp(join(tmpdir(), 'llm-deploy-serve-triton-gcs-'));
    const fake = await startFakeGcs();
    const triton = (await makeServer()).server;
    const tritonUrl = await triton.listen();
    const repository = join(work, 'repository');
    await convertToFasterTransformer({
      source: FIXTURE,
      destination: repository,
      tensorParallel: 2,
      cacheDir: join(work, 'convert-cache'),
    });
    const files = await listLocalFiles(repository);
    for (const file of files) fake.put('models', `c/${file.relativePath}`, await readFile(file.absolutePath));
    const weights = files.filter((file) => file.relativePath.endsWith('.bin')).map((file) => `c/${file.relativePath}`);
    assert.ok(weights.length > 10, `${weights.length} weight files in the converted repository`);
    const args = ['bin/llm-deploy.js', 'serve', '--model', 'gs://models/c', '--backend', 'triton', '--triton-url', tritonUrl];
    const child = spawn(process.execPath, [...args, '--host', '127.0.0.1', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STORAGE_EMULATOR_HOST: fake.endpoint, LLM_DEPLOY_CACHE: join(work, 'cache') },
    });
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
      for (let tries = 0; tries < 600 && status !== 200; tries += 1) {
        status = (await fetch(`${url}/health/ready`)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status, 200, output);
      const fetched = new Set(fake.seen.filter((request) => request.objectName !== undefined).map((request) => request.objectName));
      assert.ok(
        [...fetched].some((name) => name?.endsWith('/spiece.model')),
        'the tokenizer was not downloaded',
      );
      assert.ok(fetched.has('c/fastertransformer/config.pbtxt'), 'config.pbtxt was not downloaded');
      const downloadedWeights = weights.filter((name) => fetched.has(name));
      assert.deepEqual(downloadedWeights, [], `${downloadedWeights.length} of ${weights.length} weight files downloaded`);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await triton.close();
      await fake.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
