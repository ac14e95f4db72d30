import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { float32Bytes, stateDictPickle, writeTorchCheckpoint } from './__fixtures__/torch-checkpoint.js';
import { writeRawSafetensors } from './__fixtures__/raw-safetensors.js';
import { expectedT5Tensors } from './expected-tensors.js';
import { writeSafetensors } from './safetensors-writer.js';
import type { SafetensorsTensorInput } from './safetensors-writer.js';
import { readT5Config } from './t5-config.js';
import type { T5Config } from './t5-config.js';
import { openWeights } from './weight-store.js';
import type { WeightStore } from './weight-store.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-weights-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const MODELS = ['t5-tiny-relu', 't5-tiny-gated'] as const;
type Model = (typeof MODELS)[number];

let counter = 0;
/** A fresh directory holding the model's config.json and, optionally, some of its files. */
function modelDir(model: Model, files: readonly string[] = []): string {
  const dir = join(scratch, `${model}-${(counter += 1)}`);
  mkdirSync(dir);
  for (const name of ['config.json', ...files]) copyFileSync(join(fixtures, model, name), join(dir, name));
  return dir;
}

function rejectsWith(code: string, facts: { file?: string; field?: string; given?: string; expected?: string } = {}) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const key of ['file', 'field', 'given', 'expected'] as const)
      if (facts[key] !== undefined) assert.equal(error[key], facts[key], error.message);
    return true;
  };
}

async function withStore<T>(dir: string, config: T5Config, use: (store: WeightStore) => T): Promise<T> {
  const store = await openWeights(dir, config);
  try {
    return use(store);
  } finally {
    store.close();
  }
}

const configs = new Map<Model, T5Config>();
const reference = new Map<Model, Map<string, Float32Array>>();
before(async () => {
  for (const model of MODELS) {
    const config = await readT5Config(join(fixtures, model));
    configs.set(model, config);
    const tensors = await withStore(
      join(fixtures, model),
      config,
      (store) => new Map(store.names().map((name) => [name, store.read(name)])),
    );
    reference.set(model, tensors);
  }
});
const configOf = (model: Model): T5Config => configs.get(model) ?? assert.fail('config not loaded');
const referenceOf = (model: Model): Map<string, Float32Array> => reference.get(model) ?? assert.fail('reference not loaded');

function expectedKeys(model: Model): string[] {
  const expected: unknown = JSON.parse(readFileSync(join(fixtures, model, 'expected.json'), 'utf8'));
  assert.ok(
    typeof expected === 'object' && expected !== null && 'safetensors_keys' in expected && Array.isArray(expected.safetensors_keys),
  );
  return expected.safetensors_keys.map(String).sort();
}

async function assertSameTensors(dir: string, model: Model): Promise<void> {
  await withStore(dir, configOf(model), (store) => {
    assert.deepEqual([...store.names()].sort(), expectedKeys(model));
    for (const [name, values] of referenceOf(model)) {
      assert.deepEqual(store.shape(name), expectedT5Tensors(configOf(model)).get(name), name);
      assert.deepEqual(store.read(name), values, name);
    }
  });
}

/** Writes the reference tensors as shards of `format`, plus the index HF writes. */
async function writeShards(dir: string, model: Model, format: 'safetensors' | 'bin'): Promise<void> {
  const names = [...referenceOf(model).keys()];
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap: Record<string, string> = {};
  for (const [index, shard] of shards.entries()) {
    const file = format === 'safetensors' ? `model-0000${index + 1}-of-00002.safetensors` : `pytorch_model-0000${index + 1}-of-00002.bin`;
    for (const name of shard) weightMap[name] = file;
    const tensors = shard.map((name) => [name, referenceOf(model).get(name) ?? new Float32Array()] as const);
    if (format === 'safetensors') {
      await writeSafetensors(
        join(dir, file),
        new Map(tensors.map(([name, data]) => [name, { dtype: 'F32', shape: expectedT5Tensors(configOf(model)).get(name) ?? [], data }])),
      );
    } else {
      const views = tensors.map(([name, data], key) => ({
        name,
        key: String(key),
        storageElements: data.length,
        shape: [data.length],
        strides: [1],
      }));
      writeTorchCheckpoint(
        join(dir, file),
        stateDictPickle(views.map((view) => ({ ...view, ...shapeOf(model, view.name) }))),
        new Map(tensors.map(([, data], key) => [String(key), float32Bytes(data)])),
      );
    }
  }
  const index = format === 'safetensors' ? 'model.safetensors.index.json' : 'pytorch_model.bin.index.json';
  writeFileSync(join(dir, index), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
}

function shapeOf(model: Model, name: string): { shape: readonly number[]; strides: number[] } {
  const shape = expectedT5Tensors(configOf(model)).get(name) ?? [];
  return { shape, strides: shape.length === 2 ? [shape[1] ?? 1, 1] : [1] };
}

describe('openWeights', () => {
  for (const model of MODELS) {
    it(`${model}: safetensors and pytorch_model.bin give identical tensors under the HF safetensors names`, async () => {
      await assertSameTensors(modelDir(model, ['model.safetensors']), model);
      await assertSameTensors(modelDir(model, ['pytorch_model.bin']), model);
    });

    for (const format of ['safetensors', 'bin'] as const) {
      it(`${model}: sharded ${format} checkpoints read like the single file`, async () => {
        const dir = modelDir(model);
        await writeShards(dir, model, format);
        await assertSameTensors(dir, model);
      });
    }
  }

  it('prefers model.safetensors over pytorch_model.bin', async () => {
    const dir = modelDir('t5-tiny-relu', ['model.safetensors', 'pytorch_model.bin']);
    await withStore(dir, configOf('t5-tiny-relu'), (store) => assert.equal(store.source, join(dir, 'model.safetensors')));
  });

  it('reads an F16 / BF16 checkpoint as float32', async () => {
    const model = 't5-tiny-gated';
    for (const dtype of ['F16', 'BF16'] as const) {
      const dir = modelDir(model);
      const tensors = new Map<string, SafetensorsTensorInput>();
      for (const [name, shape] of expectedT5Tensors(configOf(model)))
        tensors.set(name, { dtype, shape, data: referenceOf(model).get(name) ?? new Float32Array() });
      await writeSafetensors(join(dir, 'model.safetensors'), tensors);
      const tolerance = dtype === 'F16' ? 2 ** -10 : 2 ** -7;
      await withStore(dir, configOf(model), (store) => {
        for (const [name, values] of referenceOf(model)) {
          const read = store.read(name);
          assert.equal(read.length, values.length);
          let worst = 0;
          for (let index = 0; index < values.length; index += 1) {
            const value = values[index] ?? 0;
            worst = Math.max(worst, Math.abs((read[index] ?? 0) - value) - tolerance * Math.abs(value));
          }
          assert.ok(worst <= 1e-7, `${dtype} ${name}: error beyond rounding by ${worst}`);
        }
      });
    }
  });

  it('names the missing tensor and the file', async () => {
    const model = 't5-tiny-relu';
    const dir = modelDir(model);
    const tensors = new Map<string, SafetensorsTensorInput>();
    for (const [name, shape] of expectedT5Tensors(configOf(model))) {
      if (name !== 'decoder.block.1.layer.2.DenseReluDense.wo.weight')
        tensors.set(name, { dtype: 'F32', shape, data: referenceOf(model).get(name) ?? new Float32Array() });
    }
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    await assert.rejects(
      openWeights(dir, configOf(model)),
      rejectsWith('MODEL_TENSOR_MISSING', {
        file: join(dir, 'model.safetensors'),
        field: 'decoder.block.1.layer.2.DenseReluDense.wo.weight',
        expected: 'a tensor of shape [64, 128]',
      }),
    );
    // The gated model needs its own lm_head: the relu checkpoint (tied) lacks it.
    const untied = modelDir('t5-tiny-gated');
    copyFileSync(join(fixtures, 't5-tiny-relu', 'model.safetensors'), join(untied, 'model.safetensors'));
    await assert.rejects(
      openWeights(untied, { ...configOf('t5-tiny-gated'), isGatedAct: false, numLayers: 2 }),
      rejectsWith('MODEL_TENSOR_MISSING', { field: 'lm_head.weight' }),
    );
  });

  it('names the config.json field whose size disagrees with the weights', async () => {
    const dir = modelDir('t5-tiny-relu', ['model.safetensors']);
    const config = { ...configOf('t5-tiny-relu'), dFf: 256 };
    await assert.rejects(
      openWeights(dir, config),
      rejectsWith('MODEL_CONFIG_INVALID', { file: join(dir, 'config.json'), field: 'd_ff', given: '256' }),
    );
  });

  it('refuses a non-float dtype for a required tensor', async () => {
    const dir = modelDir('t5-tiny-relu');
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, shape] of expectedT5Tensors(configOf('t5-tiny-relu'))) {
      const bytes = shape.reduce((product, size) => product * size, 1) * 4;
      header[name] = { dtype: name === 'shared.weight' ? 'I32' : 'F32', shape, data_offsets: [offset, offset + bytes] };
      offset += bytes;
    }
    writeRawSafetensors(join(dir, 'model.safetensors'), header, new Uint8Array(offset));
    await assert.rejects(
      openWeights(dir, configOf('t5-tiny-relu')),
      rejectsWith('MODEL_DTYPE_UNSUPPORTED', { field: 'shared.weight', given: 'I32' }),
    );
  });

  it('reports missing weight files, missing shards and shard paths outside the directory', async () => {
    const empty = modelDir('t5-tiny-relu');
    await assert.rejects(openWeights(empty, configOf('t5-tiny-relu')), rejectsWith('MODEL_FILE_MISSING', { file: empty }));
    const sharded = modelDir('t5-tiny-relu');
    writeFileSync(
      join(sharded, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { 'shared.weight': 'model-00001-of-00002.safetensors' } }),
    );
    await assert.rejects(
      openWeights(sharded, configOf('t5-tiny-relu')),
      rejectsWith('MODEL_FILE_MISSING', { file: join(sharded, 'model-00001-of-00002.safetensors') }),
    );
    const escaping = modelDir('t5-tiny-relu');
    writeFileSync(join(escaping, 'pytorch_model.bin.index.json'), JSON.stringify({ weight_map: { 'shared.weight': '../../etc/passwd' } }));
    await assert.rejects(openWeights(escaping, configOf('t5-tiny-relu')), rejectsWith('MODEL_WEIGHTS_INVALID', { field: 'shared.weight' }));
    const badIndex = modelDir('t5-tiny-relu');
    writeFileSync(join(badIndex, 'model.safetensors.index.json'), JSON.stringify({ weights: {} }));
    await assert.rejects(openWeights(badIndex, configOf('t5-tiny-relu')), rejectsWith('MODEL_WEIGHTS_INVALID', { field: 'weight_map' }));
  });

  it('names a tensor the index assigns to a shard that lacks it', async () => {
    const dir = modelDir('t5-tiny-relu');
    copyFileSync(join(fixtures, 't5-tiny-relu', 'model.safetensors'), join(dir, 'shard.safetensors'));
    const names = [...referenceOf('t5-tiny-relu').keys(), 'extra.weight'];
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: Object.fromEntries(names.map((name) => [name, 'shard.safetensors'])) }),
    );
    await assert.rejects(
      openWeights(dir, configOf('t5-tiny-relu')),
      rejectsWith('MODEL_TENSOR_MISSING', { file: join(dir, 'shard.safetensors'), field: 'extra.weight' }),
    );
  });

  it('maps a lone embed_tokens alias to shared.weight and drops the key transformers ignores', async () => {
    const model = 't5-tiny-relu';
    const dir = modelDir(model);
    const tensors = new Map<string, SafetensorsTensorInput>();
    for (const [name, shape] of expectedT5Tensors(configOf(model))) {
      const data = referenceOf(model).get(name) ?? new Float32Array();
      tensors.set(name === 'shared.weight' ? 'encoder.embed_tokens.weight' : name, { dtype: 'F32', shape, data });
    }
    tensors.set('decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight', {
      dtype: 'F32',
      shape: [32, 4],
      data: new Float32Array(128),
    });
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    await assertSameTensors(dir, model);
  });

  it('reads from disk on every call and can be closed', async () => {
    const dir = modelDir('t5-tiny-relu', ['model.safetensors']);
    const store = await openWeights(dir, configOf('t5-tiny-relu'));
    const first = store.read('shared.weight');
    first.fill(0);
    assert.deepEqual(store.read('shared.weight'), referenceOf('t5-tiny-relu').get('shared.weight'));
    assert.throws(() => store.read('no.such.weight'), rejectsWith('MODEL_TENSOR_MISSING', { field: 'no.such.weight' }));
    assert.equal(store.has('lm_head.weight'), false);
    assert.equal(store.has('encoder.embed_tokens.weight'), false);
    store.close();
  });
});
