// `serve --backend fastertransformer` from a gs:// FasterTransformer repository (the pod's server container): Triton holds the
// weights, so the server downloads only the side files it reads (tokenizer, configs, markers), never the weight shards.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { convertToFasterTransformer } from '../../src/convert/index.js';
import { listLocalFiles } from '../../src/storage/index.js';
import { startFakeGcs } from '../storage/fake-gcs-server.js';
import { makeServer } from './support/make-server.js';
import { startServeChild } from './support/serve-child.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 't5-tiny-relu');

describe('llm-deploy serve --backend fastertransformer --model gs:// (child process, loopback GCS, a KServe v2 server as Triton)', () => {
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
    const args = [
      '--model',
      'gs://models/c',
      '--backend',
      'fastertransformer',
      '--backend-url',
      tritonUrl,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ];
    const serve = startServeChild(args, { STORAGE_EMULATOR_HOST: fake.endpoint, LLM_DEPLOY_CACHE: join(work, 'cache') });
    try {
      assert.equal(await serve.waitReady(600), 200, serve.output());
      const fetched = new Set(fake.seen.filter((request) => request.objectName !== undefined).map((request) => request.objectName));
      assert.ok(
        [...fetched].some((name) => name?.endsWith('/spiece.model')),
        'the tokenizer was not downloaded',
      );
      assert.ok(fetched.has('c/fastertransformer/config.pbtxt'), 'config.pbtxt was not downloaded');
      const downloadedWeights = weights.filter((name) => fetched.has(name));
      assert.deepEqual(downloadedWeights, [], `${downloadedWeights.length} of ${weights.length} weight files downloaded`);
    } finally {
      await serve.stop();
      await triton.close();
      await fake.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
