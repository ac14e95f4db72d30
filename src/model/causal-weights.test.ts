import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readTensors, rejectsWith } from './__fixtures__/rejects-with.js';
import { readCausalConfig } from './causal-config.js';
import { openCausalWeights } from './causal-weights.js';
import { floatToBfloat16Bits } from './dtype.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { writeSafetensors, type SafetensorsTensorInput } from './safetensors-writer.js';
import type { WeightStore } from './weight-store.js';

const FIXTURES = new URL('../../test/fixtures/causal/', import.meta.url).pathname;
const scratch: string[] = [];
after(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

async function copyWithout(model: string, files: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-causal-weights-'));
  scratch.push(dir);
  for (const file of files) await copyFile(join(FIXTURES, model, file), join(dir, file));
  return dir;
}

async function canonical(dir: string): Promise<{ store: WeightStore; read: (name: string) => Float32Array }> {
  const store = await openCausalWeights(dir, await readCausalConfig(dir));
  return { store, read: (name) => store.read(name) };
}

function bfloat16(value: number): number {
  return new Float32Array(new Uint32Array([floatToBfloat16Bits(value) << 16]).buffer)[0] as number;
}

describe('decoder-only weights', () => {
  it('GPT-2 from pytorch_model.bin (tied lm_head alias, Conv1D layout) reads as from model.safetensors', async () => {
    const fromBin = await canonical(await copyWithout('gpt2-tiny', ['config.json', 'pytorch_model.bin']));
    const fromSafetensors = await canonical(join(FIXTURES, 'gpt2-tiny'));
    assert.deepEqual([...fromBin.store.names()].sort(), [...fromSafetensors.store.names()].sort());
    assert.ok(!fromBin.store.has('lm_head.weight'), 'the tied head is the embedding');
    for (const name of fromSafetensors.store.names()) assert.deepEqual(fromBin.read(name), fromSafetensors.read(name), name);
    assert.deepEqual(fromBin.store.shape('model.layers.0.self_attn.q_proj.weight'), [64, 64]);
  });

  it('a bf16 copy (how most checkpoints ship) reads as the bf16-rounded float32 weights', async () => {
    const dir = await copyWithout('llama-gqa', ['config.json']);
    const tensors = new Map<string, SafetensorsTensorInput>();
    for (const [name, data] of readTensors(join(FIXTURES, 'llama-gqa', 'model.safetensors'))) {
      const shape =
        readSafetensorsFile(join(FIXTURES, 'llama-gqa', 'model.safetensors')).tensors.find((record) => record.name === name)?.shape ?? [];
      tensors.set(name, { dtype: 'BF16', shape, data: Uint16Array.from(data, floatToBfloat16Bits) });
    }
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    const half = await canonical(dir);
    const full = await canonical(join(FIXTURES, 'llama-gqa'));
    for (const name of full.store.names()) assert.deepEqual(half.read(name), Float32Array.from(full.read(name), bfloat16), name);
  });

  it('a sharded checkpoint with its index reads as the single file', async () => {
    const dir = await copyWithout('mistral-swa', ['config.json']);
    const source = join(FIXTURES, 'mistral-swa', 'model.safetensors');
    const records = readSafetensorsFile(source).tensors;
    const data = readTensors(source);
    const shards = [new Map<string, SafetensorsTensorInput>(), new Map<string, SafetensorsTensorInput>()];
    const weightMap: Record<string, string> = {};
    records.forEach((record, index) => {
      const shard = index % 2;
      shards[shard]?.set(record.name, { dtype: 'F32', shape: record.shape, data: data.get(record.name) ?? new Float32Array() });
      weightMap[record.name] = `model-0000${shard + 1}-of-00002.safetensors`;
    });
    for (const [index, shard] of shards.entries()) await writeSafetensors(join(dir, `model-0000${index + 1}-of-00002.safetensors`), shard);
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const sharded = await canonical(dir);
    const single = await canonical(join(FIXTURES, 'mistral-swa'));
    for (const name of single.store.names()) assert.deepEqual(sharded.read(name), single.read(name), name);
  });

  it('refuses a config.json whose layer count disagrees with the weights before reading them', async () => {
    const dir = await copyWithout('llama-gqa', ['model.safetensors']);
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 1_000_000 }),
    );
    await assert.rejects(
      openCausalWeights(dir, await readCausalConfig(dir)),
      rejectsWith('MODEL_CONFIG_INVALID', { field: 'num_hidden_layers' }),
    );
  });
});
