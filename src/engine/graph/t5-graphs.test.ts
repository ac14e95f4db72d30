import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWeights, readT5Config } from '../../model/index.js';
import type { T5Config, WeightStore } from '../../model/index.js';
import { fixtureDir, greedy, readExpected } from '../runtime/__fixtures__/t5-expected.js';
import type { ExpectedCase } from '../runtime/__fixtures__/t5-expected.js';
import { createT5RuntimeFromGraphs } from '../runtime/t5-runtime.js';
import { buildT5Graphs, buildT5GraphsInto, GRAPH_MANIFEST_FILE, readT5GraphManifest, writeT5Graphs } from './t5-graphs.js';

const MODEL = 't5-tiny-relu';

/** Greedy decoding from `graphs` (built, or a directory) gives the Hugging Face reference of `expected`. */
async function decodesReference(
  config: T5Config,
  graphs: Parameters<typeof createT5RuntimeFromGraphs>[0]['graphs'],
  expected: ExpectedCase,
): Promise<void> {
  const runtime = await createT5RuntimeFromGraphs({ config, graphs });
  try {
    assert.deepEqual((await greedy(runtime, [expected.input_ids], 20))[0], expected.greedy.sequence);
  } finally {
    await runtime.close();
  }
}

describe('T5 graph sets: external data, directories, manifests', () => {
  let config: T5Config;
  let weights: WeightStore;
  let cases: readonly ExpectedCase[];
  let scratch: string;
  before(async () => {
    config = await readT5Config(fixtureDir(MODEL));
    weights = await openWeights(fixtureDir(MODEL), config);
    cases = (await readExpected(MODEL)).cases;
    scratch = await mkdtemp(join(tmpdir(), 'llm-deploy-graphs-test-'));
  });
  after(async () => {
    weights.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('moves weights to external data past the threshold and still decodes the reference', async () => {
    const graphs = buildT5Graphs(config, weights, { externalDataThresholdBytes: 0 });
    assert.deepEqual(graphs.manifest.externalDataFiles, ['encoder.onnx.data', 'decoder.onnx.data']);
    const model = graphs.files.find((file) => file.name === 'decoder.onnx');
    assert.ok(model !== undefined && (model.chunks[0]?.byteLength ?? Infinity) < 100_000, 'the protobuf holds no large weights');
    await decodesReference(config, graphs, cases[1] as ExpectedCase);
  });

  it('writes a directory that loads by path, manifest last', async () => {
    const directory = join(scratch, 'onnx');
    await writeT5Graphs(directory, buildT5Graphs(config, weights, { externalDataThresholdBytes: 0, fuseQkv: true }));
    assert.deepEqual((await readdir(directory)).sort(), [
      'decoder.onnx',
      'decoder.onnx.data',
      'encoder.onnx',
      'encoder.onnx.data',
      GRAPH_MANIFEST_FILE,
    ]);
    assert.equal((await readT5GraphManifest(directory)).fuseQkv, true);
    await decodesReference(config, { directory }, cases[0] as ExpectedCase);
  });

  it('buildT5GraphsInto streams the weights into the same files writeT5Graphs writes, and they decode the reference', async () => {
    for (const quantize of ['none', 'int8'] as const) {
      const streamed = join(scratch, `streamed-${quantize}`);
      const written = join(scratch, `written-${quantize}`);
      const manifest = await buildT5GraphsInto(streamed, config, weights, { quantize });
      await writeT5Graphs(written, buildT5Graphs(config, weights, { quantize, externalDataThresholdBytes: 0 }));
      assert.deepEqual(manifest, await readT5GraphManifest(written));
      const names = (await readdir(written)).sort();
      assert.deepEqual((await readdir(streamed)).sort(), names);
      for (const name of names) assert.ok((await readFile(join(streamed, name))).equals(await readFile(join(written, name))), name);
    }
    await decodesReference(config, { directory: join(scratch, 'streamed-none') }, cases[2] as ExpectedCase);
  });

  it('refuses a directory without a valid manifest', async () => {
    const directory = join(scratch, 'broken');
    await writeT5Graphs(directory, buildT5Graphs(config, weights));
    await writeFile(join(directory, GRAPH_MANIFEST_FILE), '{"format":"other"}');
    await assert.rejects(readT5GraphManifest(directory), { code: 'ENGINE_GRAPHS_INVALID' });
    await assert.rejects(readT5GraphManifest(join(scratch, 'absent')), { code: 'ENGINE_GRAPHS_INVALID' });
  });

  it(
    'refuses a FIFO manifest, a graph file that is not a regular file, and a graph path outside the directory',
    { timeout: 20_000 },
    async () => {
      const fifo = join(scratch, 'fifo-manifest');
      await writeT5Graphs(fifo, buildT5Graphs(config, weights));
      await rm(join(fifo, GRAPH_MANIFEST_FILE));
      execFileSync('mkfifo', [join(fifo, GRAPH_MANIFEST_FILE)]);
      await assert.rejects(readT5GraphManifest(fifo), { code: 'ENGINE_GRAPHS_INVALID' });
      const special = join(scratch, 'fifo-graph');
      await writeT5Graphs(special, buildT5Graphs(config, weights));
      await rm(join(special, 'encoder.onnx'));
      execFileSync('mkfifo', [join(special, 'encoder.onnx')]);
      await assert.rejects(readT5GraphManifest(special), { code: 'ENGINE_GRAPHS_INVALID', field: 'encoderFile' });
      const escape = join(scratch, 'escape');
      await writeT5Graphs(escape, buildT5Graphs(config, weights));
      const manifest: unknown = JSON.parse(await readFile(join(escape, GRAPH_MANIFEST_FILE), 'utf8'));
      assert.ok(typeof manifest === 'object' && manifest !== null);
      await writeFile(join(escape, GRAPH_MANIFEST_FILE), JSON.stringify({ ...manifest, decoderFile: '../onnx/decoder.onnx' }));
      await assert.rejects(readT5GraphManifest(escape), { code: 'ENGINE_GRAPHS_INVALID', field: 'decoderFile' });
    },
  );
});
