/**
 * Hugging Face's logits processors (transformers v4.36 `_get_logits_processor`), the subset our
 * settings reach, in HF's order: repetition penalty, no-repeat n-gram, the model's banned sequences
 * (generation_config.json `bad_words_ids`), minimum length (EOS masked), then the model's forced first
 * token and forced last token (`forced_bos_token_id` / `forced_eos_token_id`).
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/generation/utils.py
 * Greedy and sampling apply them to raw logits; beam search to log-softmax scores, as HF does.
 */
import type { GenerationParams } from '../backend.js';

/** What the processors need to know about one decoder row. */
export interface RowContext {
  /** Ids so far, as HF's `input_ids`: the decoder start token (encoder-decoder) or the prompt (decoder-only), then the new tokens. */
  readonly history: readonly number[];
  /** Ids of `history` before the first new token (default 1, the decoder start token). */
  readonly promptLength?: number;
  /** Ids that end a sequence (all masked while the minimum length is not reached). */
  readonly eosTokenIds: readonly number[];
  /** Tokens the model forces (BART's `<s>` first, `</s>` at the length limit). */
  readonly forced?: ForcedTokens | undefined;
  /** Token sequences the model never completes (Marian bans `<pad>`), EOS-only ones already left out. */
  readonly badWordsIds?: readonly (readonly number[])[] | undefined;
}

/** generation_config.json's forced tokens: the first new token, and the token(s) allowed at the last allowed step. */
export interface ForcedTokens {
  readonly bosTokenId?: number;
  readonly eosTokenIds?: readonly number[];
}

/** One processor: whether it changes this row's scores at this step, and the change (in place). */
interface Processor {
  applies(row: RowContext, params: GenerationParams, generated: number): boolean;
  apply(scores: Float32Array, row: RowContext, params: GenerationParams): void;
}

/** In HF's order. `generated` counts the new tokens so far (HF min_new_tokens counts after the start token or prompt). */
const PROCESSORS: readonly Processor[] = [
  {
    applies: (_row, params) => params.repetitionPenalty !== 1,
    apply: (scores, row, params) => applyRepetitionPenalty(scores, row.history, params.repetitionPenalty),
  },
  {
    applies: (_row, params) => params.noRepeatNgramSize > 0,
    apply: (scores, row, params) => banRepeatedNgrams(scores, row.history, params.noRepeatNgramSize),
  },
  {
    applies: (row) => row.badWordsIds !== undefined && row.badWordsIds.length > 0,
    apply: (scores, row) => {
      if (row.badWordsIds !== undefined) banBadWords(scores, row.history, row.badWordsIds);
    },
  },
  {
    applies: (row, params, generated) => generated < params.minNewTokens && row.eosTokenIds.length > 0,
    apply: (scores, row) => {
      for (const eos of row.eosTokenIds) scores[eos] = -Infinity;
    },
  },
  // HF ForcedBOS at cur_len 1 and ForcedEOS at cur_len max_length - 1: all else -inf, the forced ids 0 (also after log_softmax).
  {
    applies: (row, _params, generated) => row.forced?.bosTokenId !== undefined && generated === 0,
    apply: (scores, row) => {
      if (row.forced?.bosTokenId !== undefined) forceTokens(scores, [row.forced.bosTokenId]);
    },
  },
  {
    applies: (row, params, generated) => row.forced?.eosTokenIds !== undefined && generated === params.maxNewTokens - 1,
    apply: (scores, row) => {
      if (row.forced?.eosTokenIds !== undefined) forceTokens(scores, row.forced.eosTokenIds);
    },
  },
];

function generatedCount(row: RowContext): number {
  return row.history.length - (row.promptLength ?? 1);
}

/** Applies every enabled processor to one row of `scores` `[vocab] float32`, in place. */
export function processLogits(scores: Float32Array, row: RowContext, params: GenerationParams): void {
  const generated = generatedCount(row);
  for (const processor of PROCESSORS) if (processor.applies(row, params, generated)) processor.apply(scores, row, params);
}

/**
 * Whether {@link processLogits} would touch this row at this step: when not, a caller that only reads the scores
 * (greedy search) reads the logits in place instead of copying the row first.
 */
export function processorsApply(row: RowContext, params: GenerationParams): boolean {
  const generated = generatedCount(row);
  return PROCESSORS.some((processor) => processor.applies(row, params, generated));
}

function forceTokens(scores: Float32Array, ids: readonly number[]): void {
  scores.fill(-Infinity);
  for (const id of ids) if (id >= 0 && id < scores.length) scores[id] = 0;
}

/**
 * HF NoBadWordsLogitsProcessor (a SequenceBiasLogitsProcessor of -inf): a one-token sequence is always banned; a longer
 * one bans its last token when `history` ends with the rest, and is ignored while it is longer than `history` (HF's test).
 */
export function banBadWords(scores: Float32Array, history: readonly number[], sequences: readonly (readonly number[])[]): void {
  for (const sequence of sequences) {
    const last = sequence[sequence.length - 1];
    if (last === undefined || last < 0 || last >= scores.length || sequence.length > history.length) continue;
    const start = history.length - (sequence.length - 1);
    let matches = true;
    for (let k = 0; k < sequence.length - 1 && matches; k++) matches = history[start + k] === sequence[k];
    if (matches) scores[last] = -Infinity;
  }
}

/** HF RepetitionPenaltyLogitsProcessor: each seen token's score is divided by the penalty when positive, multiplied when negative. */
export function applyRepetitionPenalty(scores: Float32Array, history: readonly number[], penalty: number): void {
  const seen = new Set(history);
  for (const token of seen) {
    if (token < 0 || token >= scores.length) continue;
    const score = scores[token];
    scores[token] = score < 0 ? score * penalty : score / penalty;
  }
}

/** HF NoRepeatNGramLogitsProcessor: bans every token that would complete an n-gram already in `history`. */
export function banRepeatedNgrams(scores: Float32Array, history: readonly number[], size: number): void {
  const length = history.length;
  if (length + 1 < size) return;
  const prefixStart = length - (size - 1);
  for (let start = 0; start + size <= length; start++) {
    let matches = true;
    for (let k = 0; k < size - 1 && matches; k++) matches = history[start + k] === history[prefixStart + k];
    if (matches) {
      const banned = history[start + size - 1];
      if (banned >= 0 && banned < scores.length) scores[banned] = -Infinity;
    }
  }
}
