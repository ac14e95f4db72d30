import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { LlmDeployError } from '../../src/config/index.js';
import { convertToFasterTransformer, convertToOnnxDirectory } from '../../src/convert/index.js';
import { GRAPH_MANIFEST_FILES } from '../../src/engine/index.js';
import { writePreviousT5Manifest } from '../../src/engine/graph/__fixtures__/previous-t5-manifest.js';
import { ONNX_MANIFESTS, detectModelLayout, openModelDirectory } from '../../src/model/index.js';
import { COMPLETION_MARKER } from '../../src/storage/index.js';
import { assertGreedyMatches } from './support/greedy-matches.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const greedyMatches = (modelDir: string, fixture: string): Promise<void> =>
  assertGreedyMatches(modelDir, join(fixtures, fixture, 'expected.json'));

describe('convert --to onnx', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-onnx-dir-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('the layout detector knows the engine graph manifests, the previous version included', () => {
    assert.deepEqual(ONNX_MANIFESTS, GRAPH_MANIFEST_FILES);
  });

  for (const fixture of ['t5-tiny-relu', 't5-tiny-gated']) {
    it(`${fixture}: the directory loads from its graphs and generates Hugging Face's greedy ids`, async () => {
      const destination = join(work, fixture);
      const result = await convertToOnnxDirectory({ source: join(fixtures, fixture), destination, cacheDir: join(work, 'cache') });
      assert.ok(result.sideFiles.includes('spiece.model') && result.sideFiles.includes('generation_config.json'));
      assert.equal(await detectModelLayout(destination), 'onnx');
      await greedyMatches(destination, fixture);
    });
  }

  it('a T5 directory of the previous version (t5-graphs.json) is still served', async () => {
    const destination = join(work, 'previous-version');
    await convertToOnnxDirectory({ source: join(fixtures, 't5-tiny-relu'), destination, cacheDir: join(work, 'cache') });
    await writePreviousT5Manifest(destination);
    assert.equal(await detectModelLayout(destination), 'onnx');
    await greedyMatches(destination, 't5-tiny-relu');
  });

  it('converts a FasterTransformer layout onward to ONNX', async () => {
    const ft = join(work, 'gated-ft');
    await convertToFasterTransformer({
      source: join(fixtures, 't5-tiny-gated'),
      destination: ft,
      tensorParallel: 2,
      cacheDir: join(work, 'cache'),
    });
    const destination = join(work, 'gated-ft-onnx');
    await convertToOnnxDirectory({ source: ft, destination, cacheDir: join(work, 'cache') });
    await greedyMatches(destination, 't5-tiny-gated');
  });

  it('an ONNX directory without its completion marker is refused', async () => {
    const destination = join(work, 't5-tiny-relu');
    await rm(join(destination, COMPLETION_MARKER));
    await assert.rejects(
      openModelDirectory(destination),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'MODEL_LAYOUT_INCOMPLETE',
    );
  });

  it('the CLI writes the directory, and refuses FasterTransformer-only flags', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const errors: Buffer[] = [];
    stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    const argv = ['node', 'llm-deploy', 'convert', '--model', join(fixtures, 't5-tiny-relu'), '--to', 'onnx'];
    const context = { stdout, stderr, stdin: new PassThrough(), env: { LLM_DEPLOY_CACHE: join(work, 'cache') } };
    assert.equal(await main([...argv, '--out', join(work, 'cli')], context), 0, Buffer.concat(errors).toString());
    assert.equal(await detectModelLayout(join(work, 'cli')), 'onnx');
    assert.equal(await main([...argv, '--tensor-parallel', '2', '--out', join(work, 'cli-bad')], context), 2);
    assert.match(Buffer.concat(errors).toString(), /--tensor-parallel: these flags apply to --to fastertransformer only/);
  });
});
