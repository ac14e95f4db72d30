/**
 * Test support: the Hugging Face reference outputs in test/fixtures/<model>/expected.json, parsed
 * with a schema, and a runtime opened on that checkpoint.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { openWeights, readT5Config } from '../../../model/index.js';
import type { T5Runtime, T5GraphOptions } from '../types.js';
import { createT5Runtime } from '../t5-runtime.js';

/** The two checkpoints with reference outputs. */
export const FIXTURE_MODELS = ['t5-tiny-relu', 't5-tiny-gated'] as const;

/** Directory of a fixture checkpoint. */
export function fixtureDir(model: string): string {
  return join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', model);
}

const caseSchema = z.object({
  input_ids: z.array(z.number().int()),
  encoder_last_hidden_state: z.object({
    shape: z.array(z.number().int()),
    first8_per_row: z.array(z.array(z.number())),
    sum: z.number(),
    abs_sum: z.number(),
  }),
  greedy: z.object({ sequence: z.array(z.number().int()) }),
  first3_decoder_step_logits: z.object({ decoder_input_ids: z.array(z.number().int()), logits: z.array(z.array(z.number())) }).optional(),
});

const expectedSchema = z.object({ cases: z.array(caseSchema), generation_settings: z.unknown() });

/** One reference case. */
export type ExpectedCase = z.infer<typeof caseSchema>;

/** Reads and checks expected.json of `model`. */
export async function readExpected(model: string): Promise<{ readonly cases: readonly ExpectedCase[] }> {
  const value: unknown = JSON.parse(await readFile(join(fixtureDir(model), 'expected.json'), 'utf8'));
  return expectedSchema.parse(value);
}

/** A runtime on the fixture checkpoint `model`. */
export async function openFixtureRuntime(model: string, options: T5GraphOptions & { readonly threads?: number } = {}): Promise<T5Runtime> {
  const dir = fixtureDir(model);
  const config = await readT5Config(dir);
  const weights = await openWeights(dir, config);
  try {
    return await createT5Runtime({ weights, config, ...options });
  } finally {
    weights.close();
  }
}

/** Greedy decoding over the runtime, one row per prompt: returns sequences starting with the start token. */
export async function greedy(runtime: T5Runtime, prompts: readonly (readonly number[])[], maxNewTokens: number): Promise<number[][]> {
  const { decoderStartTokenId, eosTokenId, vocabSize } = runtime.config;
  const encoded = await runtime.encode(prompts);
  const state = runtime.startDecoding(encoded, { expectedTokens: maxNewTokens + 1 });
  const sequences = prompts.map(() => [decoderStartTokenId]);
  const done = prompts.map(() => false);
  for (let step = 0; step < maxNewTokens && done.includes(false); step++) {
    const logits = await runtime.step(state, sequences.map((sequence) => sequence[sequence.length - 1] as number));
    sequences.forEach((sequence, row) => {
      if (done[row]) return;
      const next = argmax(logits.subarray(row * vocabSize, (row + 1) * vocabSize));
      sequence.push(next);
      if (next === eosTokenId) done[row] = true;
    });
  }
  return sequences;
}

/** Index of the largest value (first on ties). */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) if ((values[index] as number) > (values[best] as number)) best = index;
  return best;
}
