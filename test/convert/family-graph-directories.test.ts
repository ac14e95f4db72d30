// `convert --to onnx` beyond T5: BART and every decoder-only family write a graph directory (graphs.json naming
// the family and its graphs) that `serve` opens through the family table and that generates the fixtures'
// reference ids (expected.json, made by Hugging Face transformers 4.36); half-written directories are refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { LlmDeployError } from '../../src/config/index.js';
import { convertToOnnxDirectory } from '../../src/convert/index.js';
import { GRAPH_MANIFEST_FILE, loadNativeBackend, readGraphManifest } from '../../src/engine/index.js';
import { COMPLETION_MARKER } from '../../src/storage/index.js';
import { itServesSeq2SeqRoutes, seq2seqCaseSchema, serveDuringSuite } from '../server/support/seq2seq-routes.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const bartDir = join(fixtures, 'seq2seq', 'bart-tiny');
const bartCases = z
  .object({ cases: z.array(seq2seqCaseSchema) })
  .parse(JSON.parse(readFileSync(join(bartDir, 'expected.json'), 'utf8'))).cases;

const causalExpected = z.object({
  cases: z.array(
    z.object({
      input_ids: z.array(z.number().int()),
      greedy: z.object({ new_tokens: z.array(z.number().int()) }),
      beam: z.object({ new_tokens: z.array(z.number().int()) }),
    }),
  ),
});
// The settings the fixtures' beam outputs were generated with (expected.json generation_settings).
const BEAM = { maxNewTokens: 20, numBeams: 4, lengthPenalty: 1, earlyStopping: false } as const;

function refusedWith(code: string, field?: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code, error.message);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  };
}

describe('convert --to onnx for BART and the decoder-only families', () => {
  let work: string;
  const bartOnnx = (): string => join(work, 'bart-onnx');
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-family-graphs-'));
    await convertToOnnxDirectory({ source: bartDir, destination: bartOnnx(), cacheDir: join(work, 'cache') });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("bart-tiny: graphs.json names the bart family and the table row's graphs, weights in external data", async () => {
    const manifest = await readGraphManifest(bartOnnx());
    assert.equal(manifest.family, 'bart');
    assert.deepEqual(manifest.graphs, [
      { role: 'encoder', file: 'encoder.onnx' },
      { role: 'decoder-step', file: 'decoder.onnx' },
    ]);
    assert.deepEqual(manifest.externalDataFiles, ['encoder.onnx.data', 'decoder.onnx.data']);
  });

  describe('bart-tiny converted, through the HTTP server', () => {
    itServesSeq2SeqRoutes(serveDuringSuite(bartOnnx, { maxInputTokens: 512 }), bartCases);
  });

  it('a half-written BART directory is refused: no completion marker, a graph file missing, another family named', async () => {
    const broken = join(work, 'bart-broken');
    await convertToOnnxDirectory({ source: bartDir, destination: broken, cacheDir: join(work, 'cache') });
    const load = (): Promise<unknown> => loadNativeBackend({ modelDir: broken, warmUp: false });
    await rm(join(broken, 'decoder.onnx.data'));
    await assert.rejects(load(), refusedWith('ENGINE_GRAPHS_INVALID', 'externalDataFiles.1'));
    await rm(join(broken, COMPLETION_MARKER));
    await assert.rejects(load(), refusedWith('MODEL_LAYOUT_INCOMPLETE'));
    const other = join(work, 'bart-other-family');
    await convertToOnnxDirectory({ source: bartDir, destination: other, cacheDir: join(work, 'cache') });
    const manifest: unknown = JSON.parse(await readFile(join(other, GRAPH_MANIFEST_FILE), 'utf8'));
    assert.ok(typeof manifest === 'object' && manifest !== null);
    await writeFile(join(other, GRAPH_MANIFEST_FILE), JSON.stringify({ ...manifest, family: 't5' }));
    await assert.rejects(loadNativeBackend({ modelDir: other, warmUp: false }), refusedWith('ENGINE_GRAPHS_INVALID', 'family'));
  });

  for (const name of ['llama-gqa', 'llama-tied-linear', 'mistral-swa', 'phi-tiny', 'gpt2-tiny']) {
    it(`${name}: the converted directory gives the reference greedy and beam ids`, async () => {
      const source = join(fixtures, 'causal', name);
      const destination = join(work, `${name}-onnx`);
      await convertToOnnxDirectory({ source, destination, cacheDir: join(work, 'cache') });
      assert.deepEqual(
        (await readGraphManifest(destination)).graphs.map((graph) => graph.role),
        ['prefill', 'decoder-step'],
      );
      const { cases } = causalExpected.parse(JSON.parse(await readFile(join(source, 'expected.json'), 'utf8')));
      const backend = await loadNativeBackend({ modelDir: destination, warmUp: false });
      try {
        for (const [index, item] of cases.entries()) {
          const greedy = await backend.generate({ inputIds: item.input_ids, params: { maxNewTokens: 20 } });
          assert.deepEqual(greedy.sequences[0]?.tokenIds, item.greedy.new_tokens, `greedy case ${index}`);
          const beam = await backend.generate({ inputIds: item.input_ids, params: BEAM });
          assert.deepEqual(beam.sequences[0]?.tokenIds, item.beam.new_tokens, `beam case ${index}`);
        }
      } finally {
        await backend.close();
      }
    });
  }
});
