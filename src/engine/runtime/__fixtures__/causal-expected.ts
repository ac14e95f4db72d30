/** The decoder-only reference fixtures (test/fixtures/causal, from transformers 4.36) and helpers to open them. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openCausalWeights, readCausalConfig } from '../../../model/index.js';
import { createCausalRuntime } from '../causal-runtime.js';
import type { CausalRuntime } from '../types.js';

/** The fixture checkpoints of the Llama family (Mistral included). */
export const LLAMA_FAMILY_FIXTURES = ['llama-gqa', 'llama-tied-linear', 'mistral-swa'] as const;

/** Every decoder-only fixture checkpoint. */
export const CAUSAL_FIXTURES = [...LLAMA_FAMILY_FIXTURES, 'phi-tiny', 'gpt2-tiny'] as const;

const ids = z.array(z.number().int());
const caseSchema = z.object({
  input_ids: ids,
  greedy: z.object({ new_tokens: ids, min_top1_top2_logit_margin: z.number() }),
  beam: z.object({ new_tokens: ids, sequence_score: z.number() }),
  first3_decode_step_logits: z.object({ input_ids: ids, logits: z.array(z.array(z.number())) }).optional(),
});
const expectedSchema = z.object({
  generation_settings: z.object({ eos_token_id: z.number().int(), effective_pad_token_id: z.number().int() }),
  cases: z.array(caseSchema),
});

/** One prompt's reference outputs. */
export type CausalCase = z.infer<typeof caseSchema>;

/** Absolute path of a fixture directory. */
export function causalFixtureDir(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'test', 'fixtures', 'causal', name);
}

/** The fixture's reference outputs. */
export async function readCausalExpected(name: string): Promise<z.infer<typeof expectedSchema>> {
  const value: unknown = JSON.parse(await readFile(join(causalFixtureDir(name), 'expected.json'), 'utf8'));
  return expectedSchema.parse(value);
}

/** A runtime over a fixture directory (fp32 unless asked). */
export async function openCausalFixture(
  name: string,
  options: { quantize?: 'none' | 'int8'; externalDataThresholdBytes?: number } = {},
): Promise<CausalRuntime> {
  const dir = causalFixtureDir(name);
  const config = await readCausalConfig(dir);
  const weights = await openCausalWeights(dir, config);
  try {
    return await createCausalRuntime({ config, weights, provider: 'cpu', ...options });
  } finally {
    weights.close();
  }
}
