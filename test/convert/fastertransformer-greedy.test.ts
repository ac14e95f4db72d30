import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { convertToFasterTransformer, type FtWeightDtype } from '../../src/convert/index.js';
import { loadNativeBackend } from '../../src/engine/index.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const expectedSchema = z.object({
  cases: z.array(z.object({ input_ids: z.array(z.number()), greedy: z.object({ sequence: z.array(z.number()) }) })),
});

describe('greedy generation from a converted FasterTransformer layout', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-ft-greedy-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const fixture of ['t5-tiny-relu', 't5-tiny-gated']) {
    for (const weightDtype of ['fp32', 'fp16'] satisfies FtWeightDtype[]) {
      it(`${fixture}, 2 ranks, ${weightDtype} files: greedy ids equal Hugging Face's`, async (context) => {
        const source = join(fixtures, fixture);
        const destination = join(work, `${fixture}-${weightDtype}`);
        await convertToFasterTransformer({ source, destination, tensorParallel: 2, weightDtype, cacheDir: join(work, 'cache') });
        const expected = expectedSchema.parse(JSON.parse(await readFile(join(source, 'expected.json'), 'utf8')));
        // The `1/N-gpu` folder holds config.json and generation_config.json next to the weights.
        const modelDir = join(destination, 'fastertransformer', '1', '2-gpu');
        const backend = await loadNativeBackend({ modelDir, warmUp: false });
        try {
          let agree = 0;
          for (const [index, entry] of expected.cases.entries()) {
            const result = await backend.generate({ inputIds: entry.input_ids, params: { maxNewTokens: 20 } });
            const ids = result.sequences[0]?.tokenIds ?? [];
            if (weightDtype === 'fp32') assert.deepEqual(ids, entry.greedy.sequence.slice(1), `case ${index}`);
            if (JSON.stringify(ids) === JSON.stringify(entry.greedy.sequence.slice(1))) agree += 1;
          }
          context.diagnostic(`${fixture} ${weightDtype}: ${agree}/${expected.cases.length} greedy sequences equal HF`);
          // fp16 rounding moves logits by far less than the fixtures' smallest greedy margin (0.018).
          assert.equal(agree, expected.cases.length, `${weightDtype} greedy agreement`);
        } finally {
          await backend.close();
        }
      });
    }
  }
});
