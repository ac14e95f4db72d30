/**
 * Greedy decoding and multinomial sampling (HF v4.36 `greedy_search` / `sample`): each row is an
 * independent sequence; processors (and, when sampling, warpers) act on raw logits.
 */
import type { FinishReason, GeneratedSequence, GenerationParams } from '../backend.js';
import type { DecodeTask, DecodeTaskOptions, TaskStep } from './decode-task.js';
import { endIds, historyStart } from './task-ids.js';
import { logSumExp, softmax } from './log-softmax.js';
import { processLogits, processorsApply, type RowContext } from './logits-processors.js';
import { warpLogits } from './logits-warpers.js';
import { createPrng, sampleIndex, type Prng } from './prng.js';

interface Row {
  /** Decoder ids including the start token. */
  readonly history: number[];
  readonly logProbs: number[];
  cumLogProb: number;
  finishReason?: FinishReason;
}

/** Greedy (one row) or sampling (`numReturnSequences` rows) search. */
export class SequenceTask implements DecodeTask {
  private readonly rows: Row[];
  private live: Row[];
  private readonly params: GenerationParams;
  private readonly prng: Prng | undefined;
  private readonly scratch: { scores: Float32Array } = { scores: new Float32Array(0) };
  /** Greedy log-probabilities cost a pass over the vocabulary per row, so they are computed only when asked for. */
  private readonly wantLogProbs: boolean;
  private readonly promptLength: number;
  private readonly eosTokenIds: readonly number[];

  constructor(private readonly options: DecodeTaskOptions) {
    this.params = options.params;
    const count = this.params.doSample ? this.params.numReturnSequences : 1;
    const start = historyStart(options.ids);
    this.promptLength = start.length;
    this.eosTokenIds = endIds(options.ids);
    this.rows = Array.from({ length: count }, () => ({
      history: [...start],
      logProbs: [],
      cumLogProb: 0,
    }));
    this.live = [...this.rows];
    this.prng = this.params.doSample ? createPrng(this.params.seed) : undefined;
    this.wantLogProbs = options.returnLogProbs === true || (options.onToken !== undefined && count === 1);
  }

  get rowCount(): number {
    return this.live.length;
  }

  advance(logits: Float32Array, firstRow: number, vocabSize: number): TaskStep {
    const sourceRows: number[] = [];
    const nextTokens: number[] = [];
    const stillLive: Row[] = [];
    this.live.forEach((row, index) => {
      const offset = (firstRow + index) * vocabSize;
      const { token, logProb } = this.choose(logits.subarray(offset, offset + vocabSize), row);
      row.history.push(token);
      row.logProbs.push(logProb);
      row.cumLogProb += logProb;
      const generated = row.history.length - this.promptLength;
      if (this.options.onToken && this.rows.length === 1) this.options.onToken({ tokenId: token, index: generated - 1, logProb });
      if (this.eosTokenIds.includes(token)) row.finishReason = 'eos';
      else if (generated >= this.params.maxNewTokens) row.finishReason = 'length';
      else {
        stillLive.push(row);
        sourceRows.push(index);
        nextTokens.push(token);
      }
    });
    this.live = stillLive;
    return { finished: stillLive.length === 0, sourceRows, nextTokens };
  }

  result(): GeneratedSequence[] {
    return this.rows.map((row) => ({
      tokenIds: row.history.slice(this.promptLength),
      finishReason: row.finishReason ?? 'length',
      ...(this.wantLogProbs || this.prng ? { cumLogProb: row.cumLogProb } : {}),
      ...(this.options.returnLogProbs ? { tokenLogProbs: row.logProbs } : {}),
    }));
  }

  /** Next token of one row from its logits (read in place, copied to scratch only when something changes them). */
  private choose(logits: Float32Array, row: Row): { token: number; logProb: number } {
    const context: RowContext = {
      history: row.history,
      promptLength: this.promptLength,
      eosTokenIds: this.eosTokenIds,
      forced: this.options.ids.forced,
      badWordsIds: this.options.ids.badWordsIds,
    };
    // Sampling's warpers write to the scores, so they always work on a copy.
    const processed = processorsApply(context, this.params);
    const scores = this.prng || processed ? this.copied(logits) : logits;
    if (processed) processLogits(scores, context, this.params);
    if (this.prng) {
      warpLogits(scores, this.params);
      const probs = softmax(scores);
      const token = sampleIndex(probs, this.prng);
      return { token, logProb: Math.log(probs[token]) };
    }
    let token = 0;
    let best = scores[0];
    for (let i = 1; i < scores.length; i++) {
      if (scores[i] > best) {
        best = scores[i];
        token = i;
      }
    }
    // The argmax's score is the row's max, which the log-sum-exp would otherwise look for again.
    return { token, logProb: this.wantLogProbs ? best - logSumExp(scores, best) : Number.NaN };
  }

  private copied(logits: Float32Array): Float32Array {
    if (this.scratch.scores.length !== logits.length) this.scratch.scores = new Float32Array(logits.length);
    this.scratch.scores.set(logits);
    return this.scratch.scores;
  }
}
