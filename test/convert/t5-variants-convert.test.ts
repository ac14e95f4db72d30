// convert for the T5 variants: FasterTransformer's T5 layout carries UL2 (gated-silu), ByT5 and mT5 (its converter
// loads them as T5ForConditionalGeneration) but not umT5's per-layer relative biases; `--to onnx` carries all four.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { convertToFasterTransformer, convertToOnnxDirectory } from '../../src/convert/index.js';
import { assertGreedyMatches } from './support/greedy-matches.js';

const fixtures = new URL('../fixtures/seq2seq/', import.meta.url).pathname;
// ByT5's long input is 654 byte ids, past the default limit of 512.
const assertGreedy = (modelDir: string, fixture: string): Promise<void> =>
  assertGreedyMatches(modelDir, join(fixtures, fixture, 'expected.json'), 1024);

describe('convert the T5 variants', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-t5-variants-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const fixture of ['ul2-tiny-gated-silu', 'mt5-tiny', 'byt5-tiny']) {
    it(`${fixture} --to fastertransformer, 2 ranks: greedy ids equal Hugging Face's, with config.json and from config.ini alone`, async () => {
      const destination = join(work, `${fixture}-ft`);
      await convertToFasterTransformer({ source: join(fixtures, fixture), destination, tensorParallel: 2, cacheDir: join(work, 'cache') });
      const modelDir = join(destination, 'fastertransformer', '1', '2-gpu');
      await assertGreedy(modelDir, fixture);
      // NVIDIA's converter writes no config.json: config.ini alone must say the same.
      await rm(join(modelDir, 'config.json'));
      await assertGreedy(modelDir, fixture);
    });
  }

  it('umt5 --to fastertransformer is refused: its per-layer relative biases have no place in the layout', async () => {
    await assert.rejects(
      convertToFasterTransformer({
        source: join(fixtures, 'umt5-tiny'),
        destination: join(work, 'umt5-ft'),
        tensorParallel: 1,
        cacheDir: join(work, 'cache'),
      }),
      (error: unknown) => {
        assert.ok(LlmDeployError.isInstance(error), String(error));
        assert.equal(error.code, 'CONVERT_MODEL_UNSUPPORTED');
        assert.equal(error.field, 'model_type');
        assert.equal(error.given, '"umt5"');
        assert.match(error.message, /relative attention bias/);
        assert.equal(error.httpStatus, 400);
        return true;
      },
    );
  });

  for (const fixture of ['ul2-tiny-gated-silu', 'mt5-tiny', 'umt5-tiny', 'byt5-tiny']) {
    it(`${fixture} --to onnx: the graph directory generates Hugging Face's greedy ids`, async () => {
      const destination = join(work, `${fixture}-onnx`);
      await convertToOnnxDirectory({ source: join(fixtures, fixture), destination, cacheDir: join(work, 'cache') });
      await assertGreedy(destination, fixture);
    });
  }
});
