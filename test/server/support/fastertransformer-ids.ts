// The FasterTransformer tensor contract of POST /v2/models/fastertransformer/infer, as the seq2seq server tests read it.
import assert from 'node:assert/strict';
import { z } from 'zod';

const kserveOutputs = z.object({ outputs: z.array(z.object({ name: z.string(), shape: z.array(z.number()), data: z.array(z.number()) })) });

/** How the rows are sent: the beam width, and the id that pads the shorter rows of `input_ids`. */
export interface FasterTransformerRequest {
  readonly beamWidth: number;
  readonly padTokenId: number;
}

/** output_ids of /v2/models/fastertransformer/infer for `rows`: the best beam of each, `sequence_length` ids (no start token). */
export async function fasterTransformerIds(
  base: string,
  rows: readonly (readonly number[])[],
  request: FasterTransformerRequest,
): Promise<number[][]> {
  const width = Math.max(...rows.map((row) => row.length));
  const column = (datatype: string, values: readonly number[]) => ({ datatype, shape: [rows.length, 1], data: values });
  const inputs = [
    {
      name: 'input_ids',
      datatype: 'UINT32',
      shape: [rows.length, width],
      data: rows.flatMap((row) => [...row, ...Array<number>(width - row.length).fill(request.padTokenId)]),
    },
    {
      name: 'sequence_length',
      ...column(
        'UINT32',
        rows.map((row) => row.length),
      ),
    },
    {
      name: 'max_output_len',
      ...column(
        'UINT32',
        rows.map(() => 20),
      ),
    },
    {
      name: 'beam_width',
      ...column(
        'UINT32',
        rows.map(() => request.beamWidth),
      ),
    },
    // FasterTransformer's default len_penalty is 0; Hugging Face's generate used 1.
    {
      name: 'len_penalty',
      ...column(
        'FP32',
        rows.map(() => 1),
      ),
    },
  ];
  const response = await fetch(`${base}/v2/models/fastertransformer/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
  const body: unknown = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  const { outputs } = kserveOutputs.parse(body);
  const ids = outputs.find((output) => output.name === 'output_ids');
  const lengths = outputs.find((output) => output.name === 'sequence_length');
  assert.ok(ids !== undefined && lengths !== undefined);
  const [, beams = 1, longest = 0] = ids.shape;
  // The best beam of each row is the first.
  return rows.map((_, row) => ids.data.slice(row * beams * longest, row * beams * longest + (lengths.data[row * beams] ?? 0)));
}

/** A reference sequence as FasterTransformer returns it: no start token, no padding after `</s>`. */
export function withoutStartAndPadding(ids: readonly number[], eos: number): number[] {
  const generated = ids.slice(1);
  const end = generated.indexOf(eos);
  return end === -1 ? generated : generated.slice(0, end + 1);
}
