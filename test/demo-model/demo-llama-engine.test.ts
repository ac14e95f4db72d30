// models/demo-llama on the native engine: a 60-prompt sample of the 600 held-out prompts (every 10th)
// against PyTorch's greedy ids and the task targets; `node --import tsx scripts/measure-demo-llama.ts`
// runs all 600 for the model card.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TASKS } from './tasks.js';
import { runDemoLlama } from './llama-engine-run.js';

test('demo Llama: tokenizer ids, greedy ids and held-out accuracy on a 60-prompt sample', async () => {
  const figures = await runDemoLlama(10);
  assert.equal(figures.prompts, 60);
  assert.deepEqual(figures.tokenizerMismatches, []);
  assert.ok(figures.sameIds / figures.prompts >= 0.98, `${figures.sameIds} of ${figures.prompts} identical to PyTorch`);
  for (const task of TASKS) assert.ok(figures.accuracy[task] >= 0.95, `${task}: ${(figures.accuracy[task] * 100).toFixed(1)}%`);
});
