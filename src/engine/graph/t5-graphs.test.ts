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
import { writePreviousT5Manifest } from './__fixtures__/previous-t5-manifest.js';
import { buildGraphSetInto, GRAPH_MANIFEST_FILE, readGraphManifest, writeGraphSet } from './graph-set.js';
import { buildT5Graphs, t5GraphParts } from './t5-graphs.js';

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
    await writeGraphSet(directory, buildT5Graphs(config, weights, { externalDataThresholdBytes: 0, fuseQkv: true }));
    assert.deepEqual((await readdir(directory)).sort(), [
      'decoder.onnx',
      'decoder.onnx.data',
      'encoder.onnx',
      'encoder.onnx.data',
      GRAPH_MANIFEST_FILE,
    ]);
    assert.equal((await readGraphManifest(directory)).fuseQkv, true);
    await decodesReference(config, { directory }, cases[0] as ExpectedCase);
  });

  it('buildGraphSetInto streams the weights into the same files writeGraphSet writes (graphs.json), and they decode the reference', async () => {
    for (const quantize of ['none', 'int8'] as const) {
      const streamed = join(scratch, `streamed-${quantize}`);
      const written = join(scratch, `written-${quantize}`);
      const { parts, facts } = t5GraphParts(config, weights, { quantize });
      const manifest = await buildGraphSetInto(streamed, parts, facts);
      await writeGraphSet(written, buildT5Graphs(config, weights, { quantize, externalDataThresholdBytes: 0 }));
      assert.deepEqual(manifest, await readGraphManifest(written));
      assert.deepEqual(await readGraphManifest(streamed), manifest);
      const names = (await readdir(written)).sort();
      assert.deepEqual((await readdir(streamed)).sort(), names);
      for (const name of names) assert.ok((await readFile(join(streamed, name))).equals(await readFile(join(written, name))), name);
    }
    await decodesReference(config, { directory: join(scratch, 'streamed-none') }, cases[2] as ExpectedCase);
  });

  it("opens a directory of the previous version (t5-graphs.json, no family named) as T5's graphs", async () => {
    const directory = join(scratch, 'previous-version');
    const graphs = buildT5Graphs(config, weights, { externalDataThresholdBytes: 0 });
    await writeGraphSet(directory, graphs);
    await writePreviousT5Manifest(directory);
    const manifest = await readGraphManifest(directory);
    assert.equal(manifest.family, 't5');
    assert.deepEqual(manifest.graphs, graphs.manifest.graphs);
    await decodesReference(config, { directory }, cases[0] as ExpectedCase);
    await writePreviousT5Manifest(directory, { decoderFile: '/etc/passwd' });
    await assert.rejects(readGraphManifest(directory), { code: 'ENGINE_GRAPHS_INVALID', field: 'decoderFile' });
  });

  it('refuses a directory without a valid manifest', async () => {
    const directory = join(scratch, 'broken');
    await writeGraphSet(directory, buildT5Graphs(config, weights));
    await writeFile(join(directory, GRAPH_MANIFEST_FILE), '{"format":"other"}');
    await assert.rejects(readGraphManifest(directory), { code: 'ENGINE_GRAPHS_INVALID' });
    await assert.rejects(readGraphManifest(join(scratch, 'absent')), { code: 'ENGINE_GRAPHS_INVALID' });
  });

  it(
    'refuses a FIFO manifest, a graph file that is not a regular file, and a graph path outside the directory',
    { timeout: 20_000 },
    async () => {
      const fifo = join(scratch, 'fifo-manifest');
      await writeGraphSet(fifo, buildT5Graphs(config, weights));
      await rm(join(fifo, GRAPH_MANIFEST_FILE));
      execFileSync('mkfifo', [join(fifo, GRAPH_MANIFEST_FILE)]);
      await assert.rejects(readGraphManifest(fifo), { code: 'ENGINE_GRAPHS_INVALID' });
      const special = join(scratch, 'fifo-graph');
      await writeGraphSet(special, buildT5Graphs(config, weights));
      await rm(join(special, 'encoder.onnx'));
      execFileSync('mkfifo', [join(special, 'encoder.onnx')]);
      await assert.rejects(readGraphManifest(special), { code: 'ENGINE_GRAPHS_INVALID', field: 'graphs.0.file' });
      const escape = join(scratch, 'escape');
      await writeGraphSet(escape, buildT5Graphs(config, weights));
      const manifest: unknown = JSON.parse(await readFile(join(escape, GRAPH_MANIFEST_FILE), 'utf8'));
      assert.ok(typeof manifest === 'object' && manifest !== null);
      const graphs = [
        { role: 'encoder', file: 'encoder.onnx' },
        { role: 'decoder-step', file: '../onnx/decoder.onnx' },
      ];
      await writeFile(join(escape, GRAPH_MANIFEST_FILE), JSON.stringify({ ...manifest, graphs }));
      await assert.rejects(readGraphManifest(escape), { code: 'ENGINE_GRAPHS_INVALID', field: 'graphs.1.file' });
    },
  );
});
