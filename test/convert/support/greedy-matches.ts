// Greedy generation of a model directory (any layout serve accepts) against a fixture's expected.json.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { loadNativeBackend } from '../../../src/engine/index.js';

const expectedSchema = z.object({
  cases: z.array(z.object({ input_ids: z.array(z.number()), greedy: z.object({ sequence: z.array(z.number()) }) })),
});

/** Asserts that every case of `expectedFile` generates its reference greedy ids from `modelDir`. */
export async function assertGreedyMatches(modelDir: string, expectedFile: string, maxInputTokens?: number): Promise<void> {
  const expected = expectedSchema.parse(JSON.parse(await readFile(expectedFile, 'utf8')));
  // the default runtime factory opens every layout serve accepts
  const backend = await loadNativeBackend({
    modelDir,
    warmUp: false,
    ...(maxInputTokens === undefined ? {} : { settings: { maxInputTokens } }),
  });
  try {
    for (const [index, entry] of expected.cases.entries()) {
      const result = await backend.generate({ inputIds: entry.input_ids, params: { maxNewTokens: 20 } });
      assert.deepEqual(result.sequences[0]?.tokenIds, entry.greedy.sequence.slice(1), `${expectedFile} case ${index}`);
    }
  } finally {
    await backend.close();
  }
}
