// The bundled demo Llama's held-out prompts through the native engine, scored against PyTorch's
// greedy ids and the task targets; shared by the suite (a sample) and the model card's measurement (all).
import { loadNativeBackend } from '../../src/engine/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { TASKS, type TaskName } from './tasks.js';
import { DEMO_LLAMA_DIR, readTorchGreedyFixture, type TorchGreedyFixture } from './torch-fixture.js';

/** What the engine did on the prompts it was given. */
export interface LlamaEngineFigures {
  readonly prompts: number;
  /** Prompts whose tokenizer ids differ from PyTorch's. */
  readonly tokenizerMismatches: readonly string[];
  /** Prompts whose greedy ids equal PyTorch's. */
  readonly sameIds: number;
  /** Exact-match accuracy per task (decoded continuation equals the target). */
  readonly accuracy: Readonly<Record<TaskName, number>>;
}

/** Every `every`-th held-out item (1: all 600), greedy through the native engine, all submitted at once. */
export async function runDemoLlama(every: number): Promise<LlamaEngineFigures> {
  const fixture: TorchGreedyFixture = await readTorchGreedyFixture('llama-torch-greedy.json');
  const items = fixture.items.filter((_, index) => index % every === 0);
  const tokenizer = await loadTokenizer(DEMO_LLAMA_DIR);
  const backend = await loadNativeBackend({ modelDir: DEMO_LLAMA_DIR, settings: { maxBatchSize: 128, maxQueue: 1024 } });
  try {
    const results = await Promise.all(
      items.map((item) =>
        backend.generate({
          inputIds: tokenizer.encode(item.input),
          params: { maxNewTokens: fixture.max_new_tokens, numBeams: 1, doSample: false },
        }),
      ),
    );
    const outputs = results.map((result) => [...(result.sequences[0]?.tokenIds ?? [])]);
    const correct = new Map<TaskName, number>();
    const total = new Map<TaskName, number>();
    items.forEach((item, index) => {
      total.set(item.task, (total.get(item.task) ?? 0) + 1);
      const text = tokenizer.decode(outputs[index] ?? [], { skipSpecialTokens: true });
      if (text === item.target) correct.set(item.task, (correct.get(item.task) ?? 0) + 1);
    });
    const accuracy = Object.fromEntries(TASKS.map((task) => [task, (correct.get(task) ?? 0) / (total.get(task) ?? 1)])) as Record<
      TaskName,
      number
    >;
    return {
      prompts: items.length,
      tokenizerMismatches: items
        .filter((item) => JSON.stringify(tokenizer.encode(item.input)) !== JSON.stringify(item.input_ids))
        .map((item) => item.input),
      sameIds: items.filter((item, index) => JSON.stringify(item.output_ids) === JSON.stringify(outputs[index])).length,
      accuracy,
    };
  } finally {
    await backend.close();
  }
}
