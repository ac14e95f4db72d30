// Run in a child process by load-peak-rss.test.ts, so that the peak RSS it reports is that of one
// load: opens the T5 checkpoint in argv[2] the way `serve` does (createT5Runtime over the weight
// store), serves a few concurrent requests through the native backend, and prints one JSON line
// with its RSS before loading and its peak RSS (Linux /proc/self/status, bytes).
import { readFileSync } from 'node:fs';
import { LlmDeployError } from '../../../config/index.js';
import { openWeights, readT5Config } from '../../../model/index.js';
import { loadNativeBackend } from '../../native-backend.js';
import { createT5Runtime } from '../t5-runtime.js';

function statusBytes(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (match === null) throw new LlmDeployError('process status lacks a memory field', { code: 'ENGINE_MEMORY_UNREADABLE', file: '/proc/self/status', field });
  return Number(match[1]) * 1024;
}

const dir = process.argv[2] ?? '.';
const baselineRssBytes = statusBytes('VmRSS');
const config = await readT5Config(dir);
const weights = await openWeights(dir, config);
const runtime = await createT5Runtime({ weights, config, threads: 1 });
weights.close();
const loadedRssBytes = statusBytes('VmRSS');
const backend = await loadNativeBackend({ runtime, settings: { maxBatchSize: 4 } });
const answers = await Promise.all(
  Array.from({ length: 4 }, (_, row) =>
    backend.generate({
      inputIds: Array.from({ length: 24 }, (_, index) => 2 + ((row * 7919 + index * 104729) % (config.vocabSize - 2))),
      params: { maxNewTokens: 8, minNewTokens: 8 },
    }),
  ),
);
await backend.close();
const generatedTokens = answers.reduce((sum, answer) => sum + (answer.sequences[0]?.tokenIds.length ?? 0), 0);
process.stdout.write(`${JSON.stringify({ baselineRssBytes, loadedRssBytes, peakRssBytes: statusBytes('VmHWM'), generatedTokens })}\n`);
