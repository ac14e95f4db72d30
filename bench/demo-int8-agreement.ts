// Greedy agreement of int8 weights with fp32 on the demo model's 600 held-out prompts, and int8's exact match.
// Usage: node --import tsx bench/demo-int8-agreement.ts [--json]
import { loadNativeBackend, type Backend } from '../src/engine/index.js';
import { loadTokenizer } from '../src/tokenizer/index.js';
import { DEMO_MODEL_DIR, readTorchGreedyFixture } from '../test/demo-model/torch-fixture.js';

async function generateAll(backend: Backend, inputs: readonly (readonly number[])[]): Promise<number[][]> {
  const results = await Promise.all(inputs.map((inputIds) => backend.generate({ inputIds, params: { maxNewTokens: 48 } })));
  return results.map((result) => [...(result.sequences[0]?.tokenIds ?? [])]);
}

const fixture = await readTorchGreedyFixture();
const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
const inputs = fixture.items.map((item) => tokenizer.encode(item.input));
const outputs: Record<string, number[][]> = {};
const seconds: Record<string, number> = {};
for (const quantize of ['none', 'int8'] as const) {
  const backend = await loadNativeBackend({ modelDir: DEMO_MODEL_DIR, settings: { quantize, maxBatchSize: 128, maxQueue: 1024 } });
  const started = performance.now();
  outputs[quantize] = await generateAll(backend, inputs);
  seconds[quantize] = (performance.now() - started) / 1000;
  await backend.close();
}
const rows = fixture.items.map((item, index) => ({
  task: item.task,
  same: JSON.stringify(outputs['none']?.[index]) === JSON.stringify(outputs['int8']?.[index]),
  int8Correct: tokenizer.decode(outputs['int8']?.[index] ?? [], { skipSpecialTokens: true }) === item.target,
}));
const tasks = [...new Set(rows.map((row) => row.task))];
const summary = {
  prompts: rows.length,
  identicalToFp32: rows.filter((row) => row.same).length / rows.length,
  perTask: Object.fromEntries(
    tasks.map((task) => {
      const ofTask = rows.filter((row) => row.task === task);
      return [
        task,
        {
          identicalToFp32: ofTask.filter((row) => row.same).length / ofTask.length,
          int8ExactMatch: ofTask.filter((row) => row.int8Correct).length / ofTask.length,
        },
      ];
    }),
  ),
  seconds,
};
if (process.argv.includes('--json')) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(
    `int8 vs fp32 on ${summary.prompts} held-out demo prompts: ${(summary.identicalToFp32 * 100).toFixed(1)}% identical greedy outputs`,
  );
  for (const [task, figures] of Object.entries(summary.perTask)) {
    console.log(
      `  ${task.padEnd(18)} identical ${(figures.identicalToFp32 * 100).toFixed(1)}%   int8 exact match ${(figures.int8ExactMatch * 100).toFixed(1)}%`,
    );
  }
  console.log(`  wall time for all prompts: fp32 ${seconds['none']?.toFixed(2)} s, int8 ${seconds['int8']?.toFixed(2)} s`);
}
