import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertToFasterTransformer } from '../../src/convert/index.js';
import { openModelDirectory, openWeights, readT5Config, type WeightStore } from '../../src/model/index.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;

async function readBin(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Largest error fp16 rounding may cause: half an ulp (2^-11 relative), or the subnormal step. */
function withinHalfRounding(expected: number, actual: number): boolean {
  return Math.abs(expected - actual) <= Math.max(Math.abs(expected) * 2 ** -11, 2 ** -25);
}

describe('convert --to fastertransformer round trip', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-ft-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const fixture of ['t5-tiny-relu', 't5-tiny-gated']) {
    for (const tensorParallel of [1, 2]) {
      it(`${fixture}, ${tensorParallel} rank(s), fp32: every tensor reads back bit for bit`, async () => {
        const source = join(fixtures, fixture);
        const destination = join(work, `${fixture}-${tensorParallel}`);
        const result = await convertToFasterTransformer({ source, destination, tensorParallel, cacheDir: join(work, 'cache') });
        assert.equal(result.weightDtype, 'fp32');
        const original = await openWeights(source, await readT5Config(source));
        for (const dir of [destination, join(destination, 'fastertransformer', '1', `${tensorParallel}-gpu`)]) {
          const model = await openModelDirectory(dir);
          assert.equal(model.layout, 'fastertransformer');
          const converted = await model.openWeights();
          assert.deepEqual([...converted.names()].sort(), [...original.names()].sort());
          for (const name of original.names()) {
            assert.deepEqual(converted.shape(name), original.shape(name), name);
            assert.deepEqual(converted.read(name), original.read(name), name);
          }
        }
        original.close();
      });
    }
  }

  it('fp16 weight files read back within fp16 rounding (gated model, with the overflow warning)', async () => {
    const source = join(fixtures, 't5-tiny-gated');
    const destination = join(work, 'gated-fp16');
    const warnings: string[] = [];
    await convertToFasterTransformer({
      source,
      destination,
      tensorParallel: 2,
      weightDtype: 'fp16',
      cacheDir: join(work, 'cache'),
      onEvent: (event) => {
        if (event.kind === 'warning') warnings.push(event.message);
      },
    });
    assert.equal(warnings.length, 1);
    const original: WeightStore = await openWeights(source, await readT5Config(source));
    const converted = await (await openModelDirectory(destination)).openWeights();
    let worst = 0;
    for (const name of original.names()) {
      const expected = original.read(name);
      const actual = converted.read(name);
      expected.forEach((value, index) => {
        const got = actual[index] ?? NaN;
        assert.ok(withinHalfRounding(value, got), `${name}[${index}]: ${value} vs ${got}`);
        worst = Math.max(worst, Math.abs(value - got));
      });
    }
    assert.ok(worst > 0, 'fp16 files really are narrower');
  });

  it("writes the files, orientations and rank splits of NVIDIA's converter (read directly)", async () => {
    const source = join(fixtures, 't5-tiny-gated');
    const config = await readT5Config(source);
    const original = await openWeights(source, config);
    const dir = join(work, 't5-tiny-gated-2', 'fastertransformer', '1', '2-gpu');
    const { dModel, dFf, numHeads, vocabSize } = config;
    const inner = numHeads * config.dKv;
    const half = inner / 2;
    // Encoder q, rank 1: `[d_model, inner/2]`, columns inner/2.. of q^T.
    const q = original.read('encoder.block.0.layer.0.SelfAttention.q.weight');
    const q1 = await readBin(join(dir, 'encoder.block.0.layer.0.SelfAttention.q.weight.1.bin'));
    assert.equal(q1.length, dModel * half);
    assert.equal(q1[3 * half + 5], q[(half + 5) * dModel + 3]);
    // Decoder fused qkv, rank 1: `[d_model, 3, inner/2]`.
    const parts = ['q', 'k', 'v'].map((part) => original.read(`decoder.block.1.layer.0.SelfAttention.${part}.weight`));
    const qkv1 = await readBin(join(dir, 'decoder.block.1.layer.0.SelfAttention.qkv.weight.1.bin'));
    assert.equal(qkv1.length, dModel * 3 * half);
    for (const [part, weights] of parts.entries()) assert.equal(qkv1[(7 * 3 + part) * half + 2], weights[(half + 2) * dModel + 7]);
    // wo, rank 0: rows 0..d_ff/2 of wo^T `[d_ff, d_model]`.
    const wo = original.read('encoder.block.2.layer.1.DenseReluDense.wo.weight');
    const wo0 = await readBin(join(dir, 'encoder.block.2.layer.1.DenseReluDense.wo.weight.0.bin'));
    assert.equal(wo0.length, (dFf / 2) * dModel);
    assert.equal(wo0[10 * dModel + 4], wo[4 * dFf + 10]);
    // Gated FFN: wi_1 is saved as wi2.
    const wi1 = original.read('decoder.block.0.layer.2.DenseReluDense.wi_1.weight');
    const wi2 = await readBin(join(dir, 'decoder.block.0.layer.2.DenseReluDense.wi2.weight.0.bin'));
    assert.equal(wi2[5 * (dFf / 2) + 9], wi1[9 * dModel + 5]);
    // Relative attention bias `[heads, buckets]`, split on heads.
    const bias = original.read('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight');
    const bias1 = await readBin(join(dir, 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight.1.bin'));
    assert.equal(bias1[1 * 32 + 6], bias[6 * numHeads + numHeads / 2 + 1]);
    // shared.weight.bin is transposed `[d_model, vocab]`; shared.weight_T.bin and lm_head keep `[vocab, d_model]`.
    const shared = original.read('shared.weight');
    assert.equal((await readBin(join(dir, 'shared.weight.bin')))[2 * vocabSize + 100], shared[100 * dModel + 2]);
    assert.deepEqual(await readBin(join(dir, 'shared.weight_T.bin')), shared);
    assert.deepEqual(await readBin(join(dir, 'lm_head.weight.bin')), original.read('lm_head.weight'));
    original.close();
  });

  it('reads the T5 config from config.ini when the folder has no config.json (NVIDIA converter output)', async () => {
    for (const fixture of ['t5-tiny-relu', 't5-tiny-gated']) {
      const source = join(fixtures, fixture);
      const destination = join(work, `${fixture}-ini`);
      await convertToFasterTransformer({ source, destination, tensorParallel: 2, cacheDir: join(work, 'cache') });
      const modelDir = join(destination, 'fastertransformer', '1', '2-gpu');
      await rm(join(modelDir, 'config.json'));
      const model = await openModelDirectory(modelDir);
      const { raw: _fromIni, ...fromIni } = model.config;
      const { raw: _fromJson, ...fromJson } = await readT5Config(source);
      assert.deepEqual(fromIni, fromJson, fixture);
      const original = await openWeights(source, await readT5Config(source));
      const converted = await model.openWeights();
      for (const name of original.names()) assert.deepEqual(converted.read(name), original.read(name), name);
      original.close();
    }
  });

  it('writes config.ini and config.pbtxt as the Triton FT backend reads them', async () => {
    const gated = await readFile(join(work, 't5-tiny-gated-2', 'fastertransformer', '1', '2-gpu', 'config.ini'), 'utf8');
    const relu = await readFile(join(work, 't5-tiny-relu-1', 'fastertransformer', '1', '1-gpu', 'config.ini'), 'utf8');
    for (const text of [gated, relu]) {
      assert.match(text, /^\[encoder\]\n/);
      assert.match(text, /\n\[decoder\]\n/);
      assert.match(text, /\nrelative_attention_num_buckets_or_max_pos_seq_len = 32\n/);
      assert.doesNotMatch(text, /\nrelative_attention_num_buckets = /);
      assert.match(text, /\nweight_data_type = fp32\n/);
      assert.match(text, /\nlayer_norm_epsilon = 1e-06\n/);
      assert.match(text, /\n\[structure\]\nt5_with_bias = false\n/);
    }
    assert.match(gated, /use_gated_activation = 1\n/);
    assert.match(relu, /use_gated_activation = false\n/);
    assert.match(gated, /\[decoder\][^[]*\nnum_layers = 2\n/);
    assert.match(gated, /\[encoder\][^[]*\nnum_layers = 3\n/);
    assert.match(gated, /\[decoder\][^[]*\ntie_word_embeddings = False\n/);
    assert.match(gated, /\narchitectures = \['T5ForConditionalGeneration'\]\n/);
    const pbtxt = await readFile(join(work, 't5-tiny-gated-2', 'fastertransformer', 'config.pbtxt'), 'utf8');
    assert.match(pbtxt, /name: "fastertransformer"/);
    assert.match(pbtxt, /default_model_filename: "2-gpu"/);
    assert.match(pbtxt, /key: "tensor_para_size"\n {2}value: \{\n {4}string_value: "2"/);
    assert.match(pbtxt, /key: "data_type"\n {2}value: \{\n {4}string_value: "bf16"/);
    assert.match(pbtxt, /kind: KIND_CPU/);
    const reluPbtxt = await readFile(join(work, 't5-tiny-relu-1', 'fastertransformer', 'config.pbtxt'), 'utf8');
    assert.match(reluPbtxt, /string_value: "fp16"/);
  });
});
