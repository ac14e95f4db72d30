// int8 BART (MatMulNBits, 8-bit blocks of 128), from the checkpoint and from a graph directory `convert --to onnx
// --quantize int8` wrote: it opens, generates, and its first decoder-step logits stay close to the float32
// reference of test/fixtures/seq2seq/bart-tiny/expected.json (transformers 4.36). Held to closeness, not identity:
// measured here cosine >= 0.9903 and |logit error| <= 4.71 (reference |logits| up to 36.5, a tied and quantized head);
// a wrong weight layout gives a cosine near 0. The greedy token must agree where the reference's top-1/top-2 margin
// is large enough for that error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { convertToOnnxDirectory } from '../../src/convert/index.js';
import { BART_FAMILY, loadNativeBackend, readGraphManifest, type GenerationRuntime } from '../../src/engine/index.js';
import { openModelDirectory, readBartConfig } from '../../src/model/index.js';

const DIR = new URL('../fixtures/seq2seq/bart-tiny', import.meta.url).pathname;
const reference = z
  .object({
    cases: z.array(
      z.object({
        input_ids: z.array(z.number().int()),
        first3_decoder_step_logits: z
          .object({ decoder_input_ids: z.array(z.number().int()), logits: z.array(z.array(z.number())) })
          .optional(),
      }),
    ),
  })
  .parse(JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'))).cases[0];
const COSINE_FLOOR = 0.985;
const MAX_LOGIT_ERROR = 6;
const SAFE_MARGIN = 5;

function cosine(a: ArrayLike<number>, b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  b.forEach((value, index) => {
    dot += (a[index] as number) * value;
    normA += (a[index] as number) ** 2;
    normB += value ** 2;
  });
  return dot / Math.sqrt(normA * normB);
}

const argmax = (values: ArrayLike<number>): number =>
  Array.from(values).reduce((best, value, index, all) => (value > (all[best] as number) ? index : best), 0);

/** The runtime's first three step logits, each checked against the reference; returned for comparison. */
async function stepsCloseToReference(runtime: GenerationRuntime): Promise<Float32Array[]> {
  const expected = reference?.first3_decoder_step_logits;
  assert.ok(reference !== undefined && expected !== undefined);
  assert.equal(runtime.quantize, 'int8');
  const state = runtime.startDecoding(await runtime.encode([reference.input_ids]));
  const steps: Float32Array[] = [];
  for (const [step, wanted] of expected.logits.entries()) {
    const logits = await runtime.step(state, [expected.decoder_input_ids[step] as number]);
    assert.ok(cosine(logits, wanted) > COSINE_FLOOR, `step ${step}: cosine ${cosine(logits, wanted)}`);
    const error = Math.max(...wanted.map((value, id) => Math.abs(value - (logits[id] as number))));
    assert.ok(error <= MAX_LOGIT_ERROR, `step ${step}: largest logit error ${error}`);
    const [best = 0, second = 0] = [...wanted].sort((a, b) => b - a);
    if (best - second >= SAFE_MARGIN) assert.equal(argmax(logits), argmax(wanted), `step ${step}: greedy token`);
    steps.push(logits);
  }
  return steps;
}

describe('int8 BART on bart-tiny', () => {
  let work: string;
  let fromCheckpoint: Float32Array[];
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-bart-int8-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('from the checkpoint: opens through the family table and stays close to the fp32 reference logits', async () => {
    const runtime = await BART_FAMILY.openCheckpoint(await openModelDirectory(DIR), { quantize: 'int8', provider: 'cpu' });
    try {
      fromCheckpoint = await stepsCloseToReference(runtime);
    } finally {
      await runtime.close();
    }
  });

  it('from a converted int8 graph directory: the same logits, and the server backend generates', async () => {
    const destination = join(work, 'bart-int8');
    const result = await convertToOnnxDirectory({ source: DIR, destination, cacheDir: join(work, 'cache'), quantize: 'int8' });
    assert.equal(result.quantize, 'int8');
    assert.equal((await readGraphManifest(destination)).quantize, 'int8');
    const runtime = await BART_FAMILY.openGraphs(await readBartConfig(destination), { directory: destination }, { provider: 'cpu' });
    try {
      const steps = await stepsCloseToReference(runtime);
      steps.forEach((logits, step) =>
        logits.forEach((value, id) =>
          assert.ok(Math.abs(value - (fromCheckpoint[step]?.[id] ?? Number.NaN)) <= 1e-4, `step ${step} id ${id}`),
        ),
      );
    } finally {
      await runtime.close();
    }
    const backend = await loadNativeBackend({ modelDir: destination, warmUp: false });
    try {
      const generated = await backend.generate({ inputIds: reference?.input_ids ?? [], params: { maxNewTokens: 20 } });
      const tokens = generated.sequences[0]?.tokenIds ?? [];
      assert.ok(tokens.length > 0 && tokens.length <= 20, `generated ${tokens.length} tokens`);
      assert.equal(tokens[0], 0, "generation_config.json's forced_bos_token_id <s> comes first");
    } finally {
      await backend.close();
    }
  });
});
