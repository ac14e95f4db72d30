/**
 * The finished hypotheses of one beam search, kept as Hugging Face's `BeamHypotheses` (transformers
 * v4.36) keeps them: the `numBeams` best by length-normalised score, and HF's `is_done` rule.
 */

/** One finished (or, at the end, still open) hypothesis. */
export interface Hypothesis {
  /** HF's `sum_logprobs / generatedLength ** lengthPenalty`. */
  readonly score: number;
  /** Sum of the processed log-probabilities of its tokens. */
  readonly sumLogProbs: number;
  /** Generated ids without the decoder start token (the final `</s>` included when it ended on one). */
  readonly tokens: readonly number[];
  /** Per generated token, its processed log-probability. */
  readonly tokenLogProbs: readonly number[];
  readonly endedOnEos: boolean;
}

/** Options of {@link BeamHypotheses}. */
export interface BeamHypothesesOptions {
  readonly numBeams: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean | 'never';
  /** Most generated tokens (HF `max_length - decoder_prompt_len`), used by `earlyStopping: 'never'`. */
  readonly maxNewTokens: number;
}

/** HF `BeamHypotheses`: a bounded list of the best finished hypotheses. */
export class BeamHypotheses {
  readonly beams: Hypothesis[] = [];
  private worstScore = 1e9;

  constructor(private readonly options: BeamHypothesesOptions) {}

  /** Offers a hypothesis of `generatedLength` tokens (HF counts the final `</s>`, not the start token). */
  add(hypothesis: Omit<Hypothesis, 'score'>, generatedLength: number): void {
    const score = hypothesis.sumLogProbs / generatedLength ** this.options.lengthPenalty;
    if (this.beams.length < this.options.numBeams || score > this.worstScore) {
      this.beams.push({ ...hypothesis, score });
      if (this.beams.length > this.options.numBeams) {
        const ranked = this.beams.map((beam, index) => ({ score: beam.score, index })).sort(byScoreThenIndex);
        this.beams.splice(ranked[0].index, 1);
        this.worstScore = ranked[1].score;
      } else {
        this.worstScore = Math.min(score, this.worstScore);
      }
    }
  }

  /**
   * HF `is_done(best_sum_logprobs, cur_len)`: whether no open beam can still beat the worst kept one.
   * `generatedLength` is HF's `cur_len - decoder_prompt_len` (tokens generated once this step's token is in).
   */
  isDone(bestSumLogProbs: number, generatedLength: number): boolean {
    if (this.beams.length < this.options.numBeams) return false;
    const { earlyStopping, lengthPenalty, maxNewTokens } = this.options;
    if (earlyStopping === true) return true;
    const denominatorLength = earlyStopping === 'never' && lengthPenalty > 0 ? maxNewTokens : generatedLength;
    return this.worstScore >= bestSumLogProbs / denominatorLength ** lengthPenalty;
  }

  /** The kept hypotheses, best first; ties keep HF's order (the later-added first). */
  ranked(): Hypothesis[] {
    const indexed = this.beams.map((beam, index) => ({ beam, index }));
    indexed.sort((a, b) => b.beam.score - a.beam.score || b.index - a.index);
    return indexed.map((entry) => entry.beam);
  }
}

function byScoreThenIndex(a: { score: number; index: number }, b: { score: number; index: number }): number {
  return a.score - b.score || a.index - b.index;
}
