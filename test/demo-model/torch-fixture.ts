/** Reads PyTorch's greedy outputs for the demo models (written by tools/demo-model/train.py and train-llama.py). */
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
      /** Tokenized prompt: T5 `</s>` last; Llama `<s>` first. */
      input_ids: ids,
      /** Generated ids (T5: after the decoder start token), `</s>` last unless cut at max_new_tokens. */
      output_ids: ids,
      output_text: z.string(),
    }),
  ),
});

/** The parsed fixture. */
export type TorchGreedyFixture = z.infer<typeof fixtureSchema>;

/** A PyTorch greedy fixture next to this file: demo-t5's by default, `llama-torch-greedy.json` for demo-llama. */
export async function readTorchGreedyFixture(name = 'torch-greedy.json'): Promise<TorchGreedyFixture> {
  const url = new URL(`./__fixtures__/${name}`, import.meta.url);
  return fixtureSchema.parse(JSON.parse(await readFile(url, 'utf8')));
}

/** The bundled demo model's directory. */
export const DEMO_MODEL_DIR = new URL('../../models/demo-t5/', import.meta.url).pathname;

/** The bundled decoder-only demo model's directory. */
export const DEMO_LLAMA_DIR = new URL('../../models/demo-llama/', import.meta.url).pathname;
