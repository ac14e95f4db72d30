/** Reads PyTorch's greedy outputs for the demo model (written by tools/demo-model/train.py). */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TASKS } from './tasks.js';

const ids = z.array(z.number().int().min(0));
const fixtureSchema = z.object({
  seed: z.number().int(),
  per_task: z.number().int().positive(),
  max_new_tokens: z.number().int().positive(),
  train_steps: z.number().int(),
  accuracy: z.record(z.string(), z.number()),
  items: z.array(
    z.object({
      task: z.enum(TASKS),
      input: z.string(),
      target: z.string(),
      /** Tokenized prompt, `</s>` last. */
      input_ids: ids,
      /** Generated ids after the decoder start token, `</s>` last unless cut at max_new_tokens. */
      output_ids: ids,
      output_text: z.string(),
    }),
  ),
});

/** The parsed fixture. */
export type TorchGreedyFixture = z.infer<typeof fixtureSchema>;

/** The PyTorch greedy fixture next to this file. */
export async function readTorchGreedyFixture(): Promise<TorchGreedyFixture> {
  const url = new URL('./__fixtures__/torch-greedy.json', import.meta.url);
  return fixtureSchema.parse(JSON.parse(await readFile(url, 'utf8')));
}

/** The bundled demo model's directory. */
export const DEMO_MODEL_DIR = new URL('../../models/demo-t5/', import.meta.url).pathname;
