import assert from 'node:assert/strict';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { z } from 'zod';
import { heldOut, HELD_OUT_SEED, TASKS } from './tasks.js';
import { DEMO_LLAMA_DIR, readTorchGreedyFixture, type TorchGreedyFixture } from './torch-fixture.js';

const MAX_MODEL_BYTES = 10 * 1024 * 1024;
const BOS = 1;
const EOS = 2;

const configSchema = z.object({
  architectures: z.tuple([z.literal('LlamaForCausalLM')]),
  model_type: z.literal('llama'),
  torch_dtype: z.literal('float32'),
  hidden_size: z.number().int(),
  intermediate_size: z.number().int(),
  num_hidden_layers: z.number().int(),
  num_attention_heads: z.number().int(),
  num_key_value_heads: z.number().int(),
  vocab_size: z.number().int(),
  tie_word_embeddings: z.literal(false),
  bos_token_id: z.number().int(),
  eos_token_id: z.number().int(),
  pad_token_id: z.number().int(),
});
type LlamaConfig = z.infer<typeof configSchema>;

const tokenizerJsonSchema = z.object({
  added_tokens: z.array(z.object({ id: z.number().int(), content: z.string() })),
  model: z.object({ type: z.literal('BPE'), vocab: z.record(z.string(), z.number().int()) }),
});

const tensorSchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int()),
  data_offsets: z.tuple([z.number().int(), z.number().int()]),
});

async function readJson(name: string): Promise<unknown> {
  return JSON.parse(await readFile(join(DEMO_LLAMA_DIR, name), 'utf8'));
}

/** The tensor names and shapes that transformers' LlamaForCausalLM (untied) saves. */
function hfLlamaShapes(config: LlamaConfig): Map<string, number[]> {
  const d = config.hidden_size;
  const headDim = d / config.num_attention_heads;
  const kv = config.num_key_value_heads * headDim;
  const shapes = new Map<string, number[]>([
    ['model.embed_tokens.weight', [config.vocab_size, d]],
    ['model.norm.weight', [d]],
    ['lm_head.weight', [config.vocab_size, d]],
  ]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const layer = `model.layers.${i}.`;
    shapes.set(`${layer}self_attn.q_proj.weight`, [d, d]);
    shapes.set(`${layer}self_attn.k_proj.weight`, [kv, d]);
    shapes.set(`${layer}self_attn.v_proj.weight`, [kv, d]);
    shapes.set(`${layer}self_attn.o_proj.weight`, [d, d]);
    shapes.set(`${layer}mlp.gate_proj.weight`, [config.intermediate_size, d]);
    shapes.set(`${layer}mlp.up_proj.weight`, [config.intermediate_size, d]);
    shapes.set(`${layer}mlp.down_proj.weight`, [d, config.intermediate_size]);
    shapes.set(`${layer}input_layernorm.weight`, [d]);
    shapes.set(`${layer}post_attention_layernorm.weight`, [d]);
  }
  return shapes;
}

async function readSafetensorsHeader(path: string): Promise<{ header: Record<string, unknown>; headerBytes: number }> {
  const file = await open(path, 'r');
  try {
    const prefix = Buffer.alloc(8);
    await file.read(prefix, 0, 8, 0);
    const headerBytes = Number(prefix.readBigUInt64LE(0));
    const body = Buffer.alloc(headerBytes);
    await file.read(body, 0, headerBytes, 8);
    return { header: z.record(z.string(), z.unknown()).parse(JSON.parse(body.toString('utf8'))), headerBytes };
  } finally {
    await file.close();
  }
}

describe('bundled decoder-only demo model (models/demo-llama)', () => {
  let config: LlamaConfig;
  let fixture: TorchGreedyFixture;

  before(async () => {
    config = configSchema.parse(await readJson('config.json'));
    fixture = await readTorchGreedyFixture('llama-torch-greedy.json');
  });

  test('the directory holds the save_pretrained files and the tokenizer files, under 10 MB', async () => {
    const files = await readdir(DEMO_LLAMA_DIR);
    const wanted = ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer.model'];
    wanted.push('tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'README.md');
    for (const name of wanted) assert.ok(files.includes(name), name);
    const sizes = await Promise.all(files.map(async (name) => (await stat(join(DEMO_LLAMA_DIR, name))).size));
    assert.ok(sizes.reduce((a, b) => a + b, 0) <= MAX_MODEL_BYTES);
  });

  test('config and generation config agree with the tokenizer on vocabulary and special ids', async () => {
    const tokenizer = tokenizerJsonSchema.parse(await readJson('tokenizer.json'));
    const ids = new Map(tokenizer.added_tokens.map((token) => [token.content, token.id]));
    const vocab = new Set([...Object.values(tokenizer.model.vocab), ...ids.values()]);
    assert.equal(config.vocab_size, vocab.size);
    assert.deepEqual([config.bos_token_id, config.eos_token_id, config.pad_token_id], [ids.get('<s>'), ids.get('</s>'), ids.get('<unk>')]);
    const generation = z
      .object({ bos_token_id: z.number(), eos_token_id: z.number(), pad_token_id: z.number(), max_new_tokens: z.number() })
      .parse(await readJson('generation_config.json'));
    assert.deepEqual([generation.bos_token_id, generation.eos_token_id, generation.pad_token_id], [BOS, EOS, config.pad_token_id]);
    assert.equal(generation.max_new_tokens, fixture.max_new_tokens);
  });

  test('model.safetensors holds float32 tensors under the names and shapes of LlamaForCausalLM', async () => {
    const path = join(DEMO_LLAMA_DIR, 'model.safetensors');
    const { header, headerBytes } = await readSafetensorsHeader(path);
    const { __metadata__: metadata, ...tensors } = header;
    assert.deepEqual(metadata, { format: 'pt' });
    const expected = hfLlamaShapes(config);
    assert.deepEqual(Object.keys(tensors).sort(), [...expected.keys()].sort());
    let end = 0;
    for (const [name, entry] of Object.entries(tensors)) {
      const info = tensorSchema.parse(entry);
      assert.equal(info.dtype, 'F32', name);
      assert.deepEqual(info.shape, expected.get(name), name);
      const [from, to] = info.data_offsets;
      assert.equal(to - from, 4 * info.shape.reduce((a, b) => a * b, 1), name);
      end = Math.max(end, to);
    }
    assert.equal((await stat(path)).size, 8 + headerBytes + end);
  });

  test('the PyTorch fixture covers the demo-t5 held-out set, its accuracy recounted from its texts', () => {
    assert.equal(fixture.seed, HELD_OUT_SEED);
    const ours = heldOut(HELD_OUT_SEED, fixture.per_task);
    assert.deepEqual(
      ours,
      fixture.items.map(({ task, input, target }) => ({ task, input, target })),
    );
    for (const task of TASKS) {
      const items = fixture.items.filter((item) => item.task === task);
      const correct = items.filter((item) => item.output_text === item.target).length;
      assert.equal(correct / items.length, fixture.accuracy[task], task);
    }
    for (const item of fixture.items) {
      assert.equal(item.input_ids[0], BOS, item.input);
      const ended = item.output_ids.at(-1) === EOS;
      assert.ok(ended || item.output_ids.length === fixture.max_new_tokens, item.input);
    }
  });

  test('predict_result.json is the whole decoded sequence (prompt, space, answer) of PyTorch for each instance', async () => {
    const payload = z.object({ instances: z.array(z.string()).min(1) }).parse(await readJson('predict_payload.json'));
    const result = z.object({ predictions: z.array(z.string()) }).parse(await readJson('predict_result.json'));
    const byInput = new Map(fixture.items.map((item) => [item.input, item.output_text]));
    assert.deepEqual(
      result.predictions,
      payload.instances.map((input) => `${input} ${byInput.get(input) ?? '(not in the fixture)'}`),
    );
  });
});
