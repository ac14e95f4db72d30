// T5-family variants (UL2 gated-silu, mT5, umT5, ByT5) end to end: the native backend and tokenizer behind
// the HTTP server, every reference output of test/fixtures/seq2seq/<model>/expected.json (made by Hugging Face
// transformers 4.36) reproduced over a real socket: greedy and beam, alone and in one padded batch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { itServesSeq2SeqRoutes, postJson, seq2seqCaseSchema, serveDuringSuite } from './support/seq2seq-routes.js';

/** Fixtures this test serves; the slices of the family work add theirs here. */
export const T5_VARIANT_FIXTURES = ['ul2-tiny-gated-silu', 'mt5-tiny', 'umt5-tiny', 'byt5-tiny'] as const;

const sequence = z.array(z.number().int());
const expectedSchema = z.object({
  cases: z.array(seq2seqCaseSchema),
  batched: z.object({ greedy_sequences: z.array(sequence), beam_sequences: z.array(sequence) }),
});

function fixture(name: string): { dir: string; expected: z.infer<typeof expectedSchema> } {
  const dir = fileURLToPath(new URL(`../fixtures/seq2seq/${name}`, import.meta.url));
  return { dir, expected: expectedSchema.parse(JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'))) };
}

const kserveOutputs = z.object({ outputs: z.array(z.object({ name: z.string(), shape: z.array(z.number()), data: z.array(z.number()) })) });

/** output_ids of /v2/models/fastertransformer/infer for `rows` (FasterTransformer's contract: no start token). */
async function kserveIds(base: string, rows: readonly (readonly number[])[], beamWidth: number): Promise<number[][]> {
  const width = Math.max(...rows.map((row) => row.length));
  const inputs = [
    {
      name: 'input_ids',
      datatype: 'UINT32',
      shape: [rows.length, width],
      data: rows.flatMap((row) => [...row, ...Array<number>(width - row.length).fill(0)]),
    },
    { name: 'sequence_length', datatype: 'UINT32', shape: [rows.length, 1], data: rows.map((row) => row.length) },
    { name: 'max_output_len', datatype: 'UINT32', shape: [rows.length, 1], data: rows.map(() => 20) },
    { name: 'beam_width', datatype: 'UINT32', shape: [rows.length, 1], data: rows.map(() => beamWidth) },
    // FasterTransformer's default len_penalty is 0; Hugging Face's generate used 1.
    { name: 'len_penalty', datatype: 'FP32', shape: [rows.length, 1], data: rows.map(() => 1) },
  ];
  const response = await postJson(`${base}/v2/models/fastertransformer/infer`, { inputs });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const { outputs } = kserveOutputs.parse(response.body);
  const ids = outputs.find((output) => output.name === 'output_ids');
  const lengths = outputs.find((output) => output.name === 'sequence_length');
  assert.ok(ids !== undefined && lengths !== undefined);
  const [, beams = 1, longest = 0] = ids.shape;
  // The best beam of each row is the first.
  return rows.map((_, row) => ids.data.slice(row * beams * longest, row * beams * longest + (lengths.data[row * beams] ?? 0)));
}

/** A reference sequence as FasterTransformer returns it: no start token, no padding after `</s>`. */
function withoutStartAndPadding(ids: readonly number[], eos: number): number[] {
  const generated = ids.slice(1);
  const end = generated.indexOf(eos);
  return end === -1 ? generated : generated.slice(0, end + 1);
}

for (const name of T5_VARIANT_FIXTURES) {
  const { dir, expected } = fixture(name);
  const { cases, batched } = expected;
  describe(`${name} through the HTTP server`, () => {
    // ByT5's long input is 654 byte ids, past the default limit of 512 (server and engine).
    const baseOf = serveDuringSuite(() => dir, { maxInputTokens: 1024 });
    itServesSeq2SeqRoutes(baseOf, cases);

    it('POST /generate_stream: the deltas add up to the reference text (bytes of one character may arrive apart)', async () => {
      for (const item of cases) {
        const response = await fetch(`${baseOf()}/generate_stream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: item.text, parameters: { max_new_tokens: 20 } }),
        });
        const events = (await response.text())
          .split('\n\n')
          .filter((block) => block.startsWith('data:'))
          .map((block) =>
            z.object({ token: z.object({ text: z.string() }), generated_text: z.string().nullable() }).parse(JSON.parse(block.slice(5))),
          );
        assert.equal(events.at(-1)?.generated_text, item.greedy.decoded_skip_special, item.text);
        assert.equal(events.map((event) => event.token.text).join(''), item.greedy.decoded_skip_special, item.text);
      }
    });

    it('KServe v2: greedy and beam ids, alone and batched, equal the reference ids', async () => {
      const prompts = cases.map((item) => item.input_ids);
      const eos = 1;
      for (const [beamWidth, alone, together] of [
        [1, cases.map((item) => item.greedy.sequence), batched.greedy_sequences],
        [4, cases.map((item) => item.beam.sequence), batched.beam_sequences],
      ] as const) {
        const reference = alone.map((ids) => withoutStartAndPadding(ids, eos));
        assert.deepEqual(
          together.map((ids) => withoutStartAndPadding(ids, eos)),
          reference,
          'the reference batch equals one by one',
        );
        assert.deepEqual(await kserveIds(baseOf(), prompts, beamWidth), reference, `batched, beam_width ${beamWidth}`);
        for (const [index, prompt] of prompts.entries()) {
          assert.deepEqual(await kserveIds(baseOf(), [prompt], beamWidth), [reference[index]], `alone, beam_width ${beamWidth}`);
        }
      }
    });
  });
}
