/** How a task reads the model's ids: where each row's history starts and which ids end a sequence. */
import type { TaskModelIds } from './decode-task.js';

/** The ids a row's history starts with (returned sequences leave them out). */
export function historyStart(ids: TaskModelIds): readonly number[] {
  return ids.prompt ?? [ids.decoderStartTokenId];
}

/** The ids that end a sequence. */
export function endIds(ids: TaskModelIds): readonly number[] {
  return ids.eosTokenIds ?? [ids.eosTokenId];
}
