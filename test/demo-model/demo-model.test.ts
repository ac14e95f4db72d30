import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { loadNativeBackend, type Backend } from '../../src/engine/index.js';
import { loadTokenizer, type Tokenizer } from '../../src/tokenizer/index.js';
import { heldOut, HELD_OUT_SEED, TASKS, type TaskName } from './tasks.js';
import { DEMO_MODEL_DIR, readTorchGreedyFixture, type TorchGreedyFixture } from './torch-fixture.js';

const MAX_MODEL_BYTES = 12 * 1024 * 1024;

/** Greedy ids (after the start token, `</s>` last) for every prompt, all submitted at once. */
async function generateAll(backend: Backend, prompts: readonly (readonly number[])[], maxNewTokens: number): Promise<number[][]> {
  const results = await Promise.all(
    prompts.map((inputIds) => backend.generate({ inputIds, params: { maxNewTokens, numBeams: 1, doSample: false } })),
  );
  return results.map((result) => [...result.sequences[0].tokenIds]);
}

describe('bundled demo model (models/demo-t5) on the native engine', () => {
  let backend: Backend;
  let tokenizer: Tokenizer;
  let fixture: TorchGreedyFixture;
  let engineIds: number[][];

  before(async () => {
    fixture = await readTorchGreedyFixture();
    tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
    backend = await loadNativeBackend({ modelDir: DEMO_MODEL_DIR, settings: { maxBatchSize: 128, maxQueue: 1024 } });
    const prompts = fixture.items.map((item) => tokenizer.encode(item.input));
    engineIds = await generateAll(backend, prompts, fixture.max_new_tokens);
  });
  after(() => backend.close());

  test('the directory is a T5 v1.1 checkpoint under 12 MB', async () => {
    const files = await readdir(DEMO_MODEL_DIR);
    for (const name of [
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'spiece.model',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'README.md',
    ]) {
      assert.ok(files.includes(name), name);
    }
    const sizes = await Promise.all(files.map(async (name) => (await stat(join(DEMO_MODEL_DIR, name))).size));
    assert.ok(sizes.reduce((a, b) => a + b, 0) <= MAX_MODEL_BYTES);
    const config = z
      .object({
        model_type: z.literal('t5'),
        feed_forward_proj: z.literal('gated-gelu'),
        tie_word_embeddings: z.literal(false),
        vocab_size: z.number(),
      })
      .parse(JSON.parse(await readFile(join(DEMO_MODEL_DIR, 'config.json'), 'utf8')));
    assert.ok(config.vocab_size >= tokenizer.vocabSize);
  });

  test('the tokenizer gives the ids SentencePiece gave in PyTorch', () => {
    const mismatches = fixture.items.filter((item) => JSON.stringify(tokenizer.encode(item.input)) !== JSON.stringify(item.input_ids));
    assert.deepEqual(
      mismatches.map((item) => item.input),
      [],
    );
  });

  test('greedy ids equal PyTorch greedy ids on at least 99% of the held-out set', () => {
    const same = fixture.items.filter((item, index) => JSON.stringify(item.output_ids) === JSON.stringify(engineIds[index])).length;
    assert.ok(same / fixture.items.length >= 0.99, `${same} of ${fixture.items.length} identical`);
  });

  test('greedy exact match is at least 95% per task on the held-out set', () => {
    const examples = heldOut(HELD_OUT_SEED, fixture.per_task);
    const correct = new Map<TaskName, number>(TASKS.map((task) => [task, 0]));
    examples.forEach((example, index) => {
      const text = tokenizer.decode(engineIds[index], { skipSpecialTokens: true });
      if (text === example.target) correct.set(example.task, (correct.get(example.task) ?? 0) + 1);
    });
    for (const task of TASKS) {
      const accuracy = (correct.get(task) ?? 0) / fixture.per_task;
      assert.ok(accuracy >= 0.95, `${task}: ${(accuracy * 100).toFixed(1)}% exact match`);
    }
  });
});
