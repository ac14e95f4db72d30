/**
 * The unit the scheduler batches: one request's decoder rows and the search that chooses their next
 * tokens. A task never sees the model; it receives logits for its rows and answers which rows go on
 * (in what order, duplicated or dropped) with which token, so many tasks can share one decoder batch.
 */
import type { GeneratedSequence, GenerationParams, TokenEvent } from '../backend.js';
import type { ForcedTokens } from './logits-processors.js';
import { BeamSearchTask } from './beam-search-task.js';
import { SequenceTask } from './sequence-task.js';

/** What a task decided for its rows after one decode step. */
export interface TaskStep {
  /** True when the task needs no more steps; `sourceRows` is then empty. */
  readonly finished: boolean;
  /** For each row of the next step, the index (within this task's rows) of the row it continues. */
  readonly sourceRows: readonly number[];
  /** For each row of the next step, the token to feed. */
  readonly nextTokens: readonly number[];
}

/** A search over one request's rows. */
export interface DecodeTask {
  /** Rows the task holds in the decoder batch now. */
  readonly rowCount: number;
  /** Consumes `logits` rows `[firstRow, firstRow + rowCount)` of a `[rows, vocabSize] float32` block. */
  advance(logits: Float32Array, firstRow: number, vocabSize: number): TaskStep;
  /** The returned sequences, best first; only after a step answered `finished`. */
  result(): GeneratedSequence[];
}

/** Model facts a task needs. */
export interface TaskModelIds {
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  /** Every id that ends a sequence (HF `eos_token_id` may be a list); default `[eosTokenId]`. */
  readonly eosTokenIds?: readonly number[];
  /**
   * Decoder-only models: the prompt, which HF's causal `generate` keeps at the start of `input_ids` (so the
   * processors see it) and leaves out of the new tokens; default `[decoderStartTokenId]` (encoder-decoder).
   */
  readonly prompt?: readonly number[];
  /** The model's forced first / last tokens (generation_config.json); default none. */
  readonly forced?: ForcedTokens;
  /** The model's banned token sequences (generation_config.json `bad_words_ids` without the EOS-only ones); default none. */
  readonly badWordsIds?: readonly (readonly number[])[];
}

/** Options of {@link createDecodeTask}. */
export interface DecodeTaskOptions {
  readonly params: GenerationParams;
  readonly ids: TaskModelIds;
  /** Streaming callback; called only when the task returns a single sequence without beams. */
  readonly onToken?: (event: TokenEvent) => void;
  readonly returnLogProbs?: boolean;
}

/** Builds the search that `params` asks for (greedy, sampling, beam search or beam sampling). */
export function createDecodeTask(options: DecodeTaskOptions): DecodeTask {
  return options.params.numBeams > 1 ? new BeamSearchTask(options) : new SequenceTask(options);
}
