import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DENSE_ACTIVATIONS, readT5Config } from './t5-config.js';
import { rejectsWith as assertModelError } from './__fixtures__/rejects-with.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = await mkdtemp(join(tmpdir(), 'llm-deploy-config-'));
after(() => rm(scratch, { recursive: true, force: true }));

async function expectedSummary(name: string): Promise<Record<string, unknown>> {
  const expected: unknown = JSON.parse(await readFile(join(fixtures, name, 'expected.json'), 'utf8'));
  assert.ok(typeof expected === 'object' && expected !== null && 'config_summary' in expected);
  const summary = expected.config_summary;
  assert.ok(typeof summary === 'object' && summary !== null);
  return summary as Record<string, unknown>;
}

let counter = 0;
async function dirWith(files: Record<string, unknown>): Promise<string> {
  counter += 1;
  const dir = join(scratch, `case-${counter}`);
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('readT5Config', () => {
  for (const name of ['t5-tiny-relu', 't5-tiny-gated']) {
    it(`matches the HF config summary of ${name}`, async () => {
      const summary = await expectedSummary(name);
      const config = await readT5Config(join(fixtures, name));
      assert.deepEqual(
        {
          vocab_size: config.vocabSize,
          d_model: config.dModel,
          d_kv: config.dKv,
          num_heads: config.numHeads,
          d_ff: config.dFf,
          num_layers: config.numLayers,
          num_decoder_layers: config.numDecoderLayers,
          relative_attention_num_buckets: config.relativeAttentionNumBuckets,
          relative_attention_max_distance: config.relativeAttentionMaxDistance,
          feed_forward_proj: config.feedForwardProj,
          dense_act_fn: config.denseActFn,
          is_gated_act: config.isGatedAct,
          tie_word_embeddings: config.tieWordEmbeddings,
          layer_norm_epsilon: config.layerNormEpsilon,
          decoder_start_token_id: config.decoderStartTokenId,
          eos_token_id: config.eosTokenId,
          pad_token_id: config.padTokenId,
        },
        summary,
      );
      assert.equal(config.modelType, 't5');
      assert.equal(config.raw['transformers_version'], '4.36.0.dev0');
    });
  }

  it('fills in transformers defaults and derives the activation from feed_forward_proj', async () => {
    const config = await readT5Config(
      await dirWith({ 'config.json': { model_type: 't5', num_layers: 4, feed_forward_proj: 'gated-gelu' } }),
    );
    assert.equal(config.numDecoderLayers, 4);
    assert.equal(config.denseActFn, 'gelu_new');
    assert.equal(config.isGatedAct, true);
    assert.equal(config.tieWordEmbeddings, true);
    assert.equal(config.relativeAttentionNumBuckets, 32);
    assert.equal(config.relativeAttentionMaxDistance, 128);
    assert.equal(config.layerNormEpsilon, 1e-6);
    assert.equal(config.decoderStartTokenId, 0);
    const gatedRelu = await readT5Config(await dirWith({ 'config.json': { model_type: 't5', feed_forward_proj: 'gated-relu' } }));
    assert.equal(gatedRelu.denseActFn, 'relu');
    assert.equal(gatedRelu.isGatedAct, true);
  });

  it('reads feed_forward_proj as transformers 4.36 T5Config does, for every ACT2FN activation', async () => {
    for (const act of DENSE_ACTIVATIONS) {
      const plain = await readT5Config(await dirWith({ 'config.json': { model_type: 't5', feed_forward_proj: act } }));
      assert.deepEqual([plain.feedForwardProj, plain.denseActFn, plain.isGatedAct], [act, act, false], act);
      const gated = await readT5Config(await dirWith({ 'config.json': { model_type: 't5', feed_forward_proj: `gated-${act}` } }));
      // Only gated-gelu is remapped (to gelu_new); gated-silu stays silu.
      assert.deepEqual([gated.denseActFn, gated.isGatedAct], [act === 'gelu' ? 'gelu_new' : act, true], `gated-${act}`);
    }
    for (const refused of ['gated-swiglu', 'double-gelu', 'gated-gelu-new', 'Gated-gelu', '']) {
      const dir = await dirWith({ 'config.json': { model_type: 't5', feed_forward_proj: refused } });
      await assert.rejects(
        readT5Config(dir),
        assertModelError('MODEL_CONFIG_INVALID', { field: 'feed_forward_proj', given: JSON.stringify(refused) }),
        refused,
      );
    }
  });

  it('reads mT5 and umT5 with their own defaults; only umT5 has a relative bias per layer', async () => {
    const mt5 = await readT5Config(await dirWith({ 'config.json': { model_type: 'mt5' } }));
    assert.deepEqual(
      [
        mt5.vocabSize,
        mt5.dFf,
        mt5.numLayers,
        mt5.numHeads,
        mt5.denseActFn,
        mt5.isGatedAct,
        mt5.tieWordEmbeddings,
        mt5.relativeBiasPerLayer,
      ],
      [250112, 1024, 8, 6, 'gelu_new', true, false, false],
    );
    const umt5 = await readT5Config(join(fixtures, 'seq2seq', 'umt5-tiny'));
    assert.deepEqual([umt5.modelType, umt5.relativeBiasPerLayer, umt5.tieWordEmbeddings, umt5.vocabSize], ['umt5', true, false, 2112]);
    const t5 = await readT5Config(join(fixtures, 'seq2seq', 'ul2-tiny-gated-silu'));
    assert.deepEqual([t5.denseActFn, t5.isGatedAct, t5.relativeBiasPerLayer], ['silu', true, false]);
  });

  it('refuses a model type other than t5', async () => {
    const dir = await dirWith({ 'config.json': { model_type: 'bart', d_model: 64 } });
    await assert.rejects(
      readT5Config(dir),
      assertModelError('MODEL_UNSUPPORTED', {
        file: join(dir, 'config.json'),
        field: 'model_type',
        given: '"bart"',
        expected: 'one of "t5", "mt5", "umt5" (T5, Flan-T5, UL2, ByT5, mT5, umT5)',
      }),
    );
    const untyped = await dirWith({ 'config.json': { d_model: 64 } });
    await assert.rejects(readT5Config(untyped), assertModelError('MODEL_UNSUPPORTED', { field: 'model_type', given: 'nothing' }));
  });

  it('names the field and value of an invalid setting', async () => {
    const dir = await dirWith({ 'config.json': { model_type: 't5', d_model: -64 } });
    await assert.rejects(
      readT5Config(dir),
      assertModelError('MODEL_CONFIG_INVALID', {
        file: join(dir, 'config.json'),
        field: 'd_model',
        given: '-64',
        expected: 'a positive integer',
      }),
    );
    const proj = await dirWith({ 'config.json': { model_type: 't5', feed_forward_proj: 'swiglu' } });
    await assert.rejects(readT5Config(proj), assertModelError('MODEL_CONFIG_INVALID', { field: 'feed_forward_proj', given: '"swiglu"' }));
    const fractional = await dirWith({ 'config.json': { model_type: 't5', num_heads: 2.5 } });
    await assert.rejects(readT5Config(fractional), assertModelError('MODEL_CONFIG_INVALID', { field: 'num_heads', given: '2.5' }));
    const eos = await dirWith({ 'config.json': { model_type: 't5', eos_token_id: 'end' } });
    await assert.rejects(readT5Config(eos), assertModelError('MODEL_CONFIG_INVALID', { field: 'eos_token_id', given: '"end"' }));
  });

  it('reports a missing or unparsable config.json', async () => {
    const empty = await dirWith({});
    await assert.rejects(readT5Config(empty), assertModelError('MODEL_FILE_MISSING', { file: join(empty, 'config.json') }));
    const broken = await dirWith({ 'config.json': '{"model_type": "t5",' });
    await assert.rejects(readT5Config(broken), assertModelError('MODEL_CONFIG_INVALID', { file: join(broken, 'config.json') }));
    const notObject = await dirWith({ 'config.json': [1, 2] });
    await assert.rejects(readT5Config(notObject), assertModelError('MODEL_CONFIG_INVALID', {}));
  });
});
