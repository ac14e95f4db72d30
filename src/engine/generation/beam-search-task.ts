/**
 * Beam search and beam sampling with Hugging Face v4.36 semantics (`beam_search`, `beam_sample`,
 * `BeamSearchScorer`): log-softmax, processors, running beam scores in float32, `2 * numBeams`
 * candidates per step, `</s>` candidates ranked below `numBeams` ignored, HF's `is_done` rule.
 */
import type { GeneratedSequence, GenerationParams } from '../backend.js';
import { BeamHypotheses, type Hypothesis } from './beam-hypotheses.js';
import { sampleCandidates, topCandidates, type Candidate } from './beam-candidates.js';
import type { DecodeTask, DecodeTaskOptions, TaskStep } from './decode-task.js';
import { endIds, historyStart } from './task-ids.js';
import { logSoftmax } from './log-softmax.js';
import { processLogits } from './logits-processors.js';
import { warpLogits } from './logits-warpers.js';
import { createPrng, type Prng } from './prng.js';

interface Beam {
  /** Decoder ids including the start token. */
  readonly history: number[];
  readonly logProbs: number[];
  /** Running score (float32, as torch keeps it). */
  readonly score: number;
}

interface Search {
  beams: Beam[];
  readonly hypotheses: BeamHypotheses;
  done: boolean;
}

/** One request's beam search; sampling runs `numReturnSequences` independent searches, as HF does. */
export class BeamSearchTask implements DecodeTask {
  private readonly params: GenerationParams;
  private readonly searches: Search[];
  private readonly prng: Prng | undefined;
  private generated = 0;
  /** Per beam index: log-softmax buffers `[vocab] float32` reused between steps (searches run one after another). */
  private readonly scratch: Float32Array[] = [];
  /** Parent beam (within its search) of each beam chosen by the last `advanceSearch`. */
  private parents: number[] = [];
  private readonly promptLength: number;
  private readonly eosTokenIds: readonly number[];

  constructor(private readonly options: DecodeTaskOptions) {
    this.params = options.params;
    const count = this.params.doSample ? this.params.numReturnSequences : 1;
    this.prng = this.params.doSample ? createPrng(this.params.seed) : undefined;
    const start = historyStart(options.ids);
    this.promptLength = start.length;
    this.eosTokenIds = endIds(options.ids);
    this.searches = Array.from({ length: count }, () => ({
      // HF beam_search starts every beam but the first at -1e9 so step one does not pick duplicates; beam_sample starts all at 0.
      beams: Array.from({ length: this.params.numBeams }, (_, index) => ({
        history: [...start],
        logProbs: [],
        score: index > 0 && !this.params.doSample ? -1e9 : 0,
      })),
      hypotheses: new BeamHypotheses({
        numBeams: this.params.numBeams,
        lengthPenalty: this.params.lengthPenalty,
        earlyStopping: this.params.earlyStopping,
        maxNewTokens: this.params.maxNewTokens,
      }),
      done: false,
    }));
  }

  get rowCount(): number {
    return this.searches.filter((search) => !search.done).length * this.params.numBeams;
  }

  advance(logits: Float32Array, firstRow: number, vocabSize: number): TaskStep {
    this.generated++;
    const sourceRows: number[] = [];
    const nextTokens: number[] = [];
    let base = 0;
    for (const search of this.searches) {
      if (search.done) continue;
      const scores = search.beams.map((beam, index) => {
        const offset = (firstRow + base + index) * vocabSize;
        return this.scores(beam, index, logits.subarray(offset, offset + vocabSize));
      });
      const count = 2 * this.params.numBeams;
      const offsets = search.beams.map((beam) => beam.score);
      const candidates = this.prng
        ? sampleCandidates(this.warpedTotals(scores, offsets), count, this.prng)
        : topCandidates(scores, count, offsets);
      this.advanceSearch(search, candidates);
      if (!search.done) {
        for (const beam of search.beams) nextTokens.push(beam.history[beam.history.length - 1]);
        for (const parent of this.parents) sourceRows.push(base + parent);
      }
      base += this.params.numBeams;
    }
    if (this.generated >= this.params.maxNewTokens) this.finalize();
    const finished = this.searches.every((search) => search.done);
    return finished ? { finished, sourceRows: [], nextTokens: [] } : { finished, sourceRows, nextTokens };
  }

  result(): GeneratedSequence[] {
    const keep = this.params.doSample ? 1 : this.params.numReturnSequences;
    return this.searches.flatMap((search) =>
      search.hypotheses
        .ranked()
        .slice(0, keep)
        .map((hypothesis) => this.toSequence(hypothesis)),
    );
  }

  /** HF: log_softmax then processors, for one beam; the buffer is reused from step to step. */
  private scores(beam: Beam, index: number, logits: Float32Array): Float32Array {
    if (this.scratch[index]?.length !== logits.length) this.scratch[index] = new Float32Array(logits.length);
    const scores = logSoftmax(logits, this.scratch[index]);
    processLogits(
      scores,
      {
        history: beam.history,
        promptLength: this.promptLength,
        eosTokenIds: this.eosTokenIds,
        forced: this.options.ids.forced,
        badWordsIds: this.options.ids.badWordsIds,
      },
      this.params,
    );
    return scores;
  }

  /** Beam sampling: + running beam score (float32), then the warpers; HF v4.36 warps after adding the scores, on purpose. */
  private warpedTotals(scores: readonly Float32Array[], offsets: readonly number[]): Float32Array[] {
    return scores.map((row, beam) => {
      const totals = new Float32Array(row.length);
      for (let i = 0; i < row.length; i++) totals[i] = row[i] + offsets[beam];
      warpLogits(totals, this.params);
      return totals;
    });
  }

  /** HF `BeamSearchScorer.process` for one search. */
  private advanceSearch(search: Search, candidates: readonly Candidate[]): void {
    const next: Beam[] = [];
    this.parents = [];
    for (const [rank, candidate] of candidates.entries()) {
      const parent = search.beams[candidate.beam];
      const logProb = candidate.score - parent.score;
      if (this.eosTokenIds.includes(candidate.token)) {
        if (rank >= this.params.numBeams) continue;
        search.hypotheses.add(
          {
            sumLogProbs: candidate.score,
            tokens: [...parent.history.slice(this.promptLength), candidate.token],
            tokenLogProbs: [...parent.logProbs, logProb],
            endedOnEos: true,
          },
          this.generated,
        );
      } else {
        next.push({ history: [...parent.history, candidate.token], logProbs: [...parent.logProbs, logProb], score: candidate.score });
        this.parents.push(candidate.beam);
      }
      if (next.length === this.params.numBeams) break;
    }
    search.beams = next;
    if (next.length < this.params.numBeams) {
      // Only reachable when sampling ran out of tokens with non-zero probability (HF raises here): keep what exists.
      for (const beam of next) this.addOpen(search, beam);
      search.done = true;
      return;
    }
    const best = Math.max(...candidates.map((candidate) => candidate.score));
    search.done = search.hypotheses.isDone(best, this.generated);
  }

  /** HF `finalize`: every open beam of an unfinished search becomes a hypothesis. */
  private finalize(): void {
    for (const search of this.searches) {
      if (search.done) continue;
      for (const beam of search.beams) this.addOpen(search, beam);
      search.done = true;
    }
  }

  private addOpen(search: Search, beam: Beam): void {
    const tokens = beam.history.slice(this.promptLength);
    search.hypotheses.add({ sumLogProbs: beam.score, tokens, tokenLogProbs: beam.logProbs, endedOnEos: false }, tokens.length);
  }

  private toSequence(hypothesis: Hypothesis): GeneratedSequence {
    return {
      tokenIds: hypothesis.tokens,
      finishReason: hypothesis.endedOnEos ? 'eos' : 'length',
      score: hypothesis.score,
      cumLogProb: hypothesis.sumLogProbs,
      ...(this.options.returnLogProbs ? { tokenLogProbs: hypothesis.tokenLogProbs } : {}),
    };
  }
}
