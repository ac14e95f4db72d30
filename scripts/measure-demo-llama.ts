// The demo Llama's model-card figures: all 600 held-out prompts through the native engine.
// Run: node --import tsx scripts/measure-demo-llama.ts
import { runDemoLlama } from '../test/demo-model/llama-engine-run.js';

const figures = await runDemoLlama(1);
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
