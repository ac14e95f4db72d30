// The JavaScript search over the vocabulary per decode step, measured apart for the load profile.
import { createDecodeTask, type DecodeTask } from '../src/engine/generation/decode-task.js';
import { logSoftmax } from '../src/engine/generation/log-softmax.js';
import { paramsFromGenerationConfig } from '../src/engine/index.js';
import { defaultGenerationConfig } from '../src/model/index.js';

// Mean wall ms of `repeats` calls of a synchronous piece of work.
function meanMs(repeats: number, work: () => void): number {
  work();
  const started = performance.now();
  for (let index = 0; index < repeats; index++) work();
  return (performance.now() - started) / repeats;
}

/** ms per step of the JavaScript choices for `rows` greedy rows: argmax only, argmax + log-probability (streaming), a full log-softmax (beams, scores). */
export function searchCosts(rows: number, vocab: number): Record<string, number> {
  const logits = new Float32Array(rows * vocab).map((_, index) => Math.sin(index * 0.37));
  const defaults = paramsFromGenerationConfig(defaultGenerationConfig({ decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 }));
  const params = { ...defaults, maxNewTokens: 1_000_000, minNewTokens: 0 };
  const ids = { decoderStartTokenId: 0, eosTokenId: 1 };
  const tasks = (streaming: boolean): DecodeTask[] =>
    Array.from({ length: rows }, () => createDecodeTask({ params, ids, ...(streaming ? { onToken: () => undefined } : {}) }));
  const greedy = tasks(false);
  const streamed = tasks(true);
  const out = new Float32Array(vocab);
  return {
    'greedy argmax': meanMs(20, () => greedy.forEach((task, row) => task.advance(logits, row, vocab))),
    'greedy + log-prob (streaming)': meanMs(20, () => streamed.forEach((task, row) => task.advance(logits, row, vocab))),
    'log-softmax (beams, scores)': meanMs(20, () => {
      for (let row = 0; row < rows; row++) logSoftmax(logits.subarray(row * vocab, (row + 1) * vocab), out);
    }),
  };
}
