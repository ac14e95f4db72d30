/**
 * Builds our {@link GeneratedSequence}s from an engine's completion choices: one answer's choices, or the chunks of
 * a stream (each carrying the delta token ids of its choice). Every generation has at least one token, so a choice
 * that ends without any token id means the engine ignored the token-id request: refused instead of answering empty text.
 */
import type { FinishReason, GeneratedSequence } from '../backend.js';
import type { EngineChoice } from './engine-reply.js';

/** One choice as built so far. */
export interface ChoiceSequence {
  readonly tokenIds: number[];
  readonly logProbs: number[];
  finishReason?: FinishReason;
}

function finishReasonOf(choice: EngineChoice): FinishReason {
  if (choice.finish_reason === 'length') return 'length';
  // "stop" with a stop string or token id set is a stop sequence; without one it is the end-of-sequence token
  return choice.stop_reason === null || choice.stop_reason === undefined ? 'eos' : 'stop';
}

/** The choices of one request, by index. */
export class ChoiceSequences {
  private readonly built = new Map<number, ChoiceSequence>();

  /** @param missingTokenIds builds the error for a choice without token ids */
  constructor(private readonly missingTokenIds: () => Error) {}

  /** Adds a choice (or a stream chunk's delta of it); returns the sequence it grew. */
  append(choice: EngineChoice): ChoiceSequence {
    const sequence = this.built.get(choice.index) ?? { tokenIds: [], logProbs: [] };
    this.built.set(choice.index, sequence);
    sequence.tokenIds.push(...(choice.token_ids ?? []));
    for (const logProb of choice.logprobs?.token_logprobs ?? []) sequence.logProbs.push(logProb ?? Number.NaN);
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) sequence.finishReason = finishReasonOf(choice);
    return sequence;
  }

  /** The sequences in choice order; an unfinished one (stream cut short) counts as stopped by length. */
  sequences(returnLogProbs: boolean): GeneratedSequence[] {
    if (this.built.size === 0 || [...this.built.values()].some((sequence) => sequence.tokenIds.length === 0)) throw this.missingTokenIds();
    return [...this.built.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, sequence]) => ({
        tokenIds: sequence.tokenIds,
        finishReason: sequence.finishReason ?? 'length',
        ...(returnLogProbs && sequence.logProbs.length > 0 ? { tokenLogProbs: sequence.logProbs } : {}),
        ...(sequence.logProbs.length > 0 ? { cumLogProb: sequence.logProbs.reduce((sum, value) => sum + value, 0) } : {}),
      }));
  }
}
