/** Test helper: the batched prompts and greedy results Hugging Face produced for t5-tiny-relu. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const schema = z.object({
  cases: z.array(z.object({ input_ids: z.array(z.number()) })),
  batched: z.object({
    input_ids: z.array(z.array(z.number())),
    attention_mask: z.array(z.array(z.number())),
    greedy_sequences: z.array(z.array(z.number())),
  }),
});

/** `test/fixtures/t5-tiny-relu/expected.json`, the parts these tests use. */
export const relu = schema.parse(JSON.parse(readFileSync(new URL('../../../test/fixtures/t5-tiny-relu/expected.json', import.meta.url), 'utf8')));

/** HF greedy sequence -> FT ids: without the decoder start, cut after `</s>` (HF pads with 0 after it). */
export function withoutStartAndPadding(sequence: readonly number[]): number[] {
  const ids = sequence.slice(1);
  const eos = ids.indexOf(1);
  return eos >= 0 ? ids.slice(0, eos + 1) : ids;
}
