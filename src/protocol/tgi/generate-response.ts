/** TGI's answers: `/generate` JSON, `/generate_stream` events and its error body `{error, error_type}`. */

/** Why generation stopped, as TGI names it. */
export type TgiFinishReason = 'length' | 'eos_token' | 'stop_sequence';

/** Our finish reasons (the same words the engine uses). */
export type FinishReasonName = 'eos' | 'length' | 'stop';

/** eos -> eos_token, stop -> stop_sequence. */
export function tgiFinishReason(reason: FinishReasonName): TgiFinishReason {
  switch (reason) {
    case 'eos':
      return 'eos_token';
    case 'stop':
      return 'stop_sequence';
    case 'length':
      return 'length';
    default: {
      const impossible: never = reason;
      return impossible;
    }
  }
}

/** One token in `details.tokens` or a stream event. */
export interface TgiToken {
  readonly id: number;
  readonly text: string;
  readonly logprob: number | null;
  readonly special: boolean;
}

/** One prompt token in `details.prefill`. */
export interface TgiPrefillToken {
  readonly id: number;
  readonly text: string;
  readonly logprob: number | null;
}

/** `details` of a `/generate` answer (only when `details: true`). */
export interface TgiDetails {
  readonly finish_reason: TgiFinishReason;
  readonly generated_tokens: number;
  readonly seed: number | null;
  readonly prefill: readonly TgiPrefillToken[];
  readonly tokens: readonly TgiToken[];
  readonly best_of_sequences?: readonly {
    readonly generated_text: string;
    readonly finish_reason: TgiFinishReason;
    readonly generated_tokens: number;
    readonly seed: number | null;
    readonly prefill: readonly TgiPrefillToken[];
    readonly tokens: readonly TgiToken[];
  }[];
}

/** `/generate` answer. */
export interface TgiGenerateResponseV1 {
  readonly generated_text: string;
  readonly details?: TgiDetails;
}

/** `details` of the last stream event. */
export interface TgiStreamDetails {
  readonly finish_reason: TgiFinishReason;
  readonly generated_tokens: number;
  readonly seed: number | null;
  readonly input_length: number;
}

/** One `/generate_stream` event; `generated_text` and `details` are set only on the last one. */
export interface TgiStreamEventV1 {
  readonly index: number;
  readonly token: TgiToken;
  readonly generated_text: string | null;
  readonly details: TgiStreamDetails | null;
}

/** TGI's error body. */
export interface TgiErrorBody {
  readonly error: string;
  readonly error_type: string;
}

/**
 * A stream event for one token; pass `final` on the last token to close the stream's text.
 * @example tgiStreamEvent({ id: 216, text: 'free', logprob: -0.4, special: false }, 0)
 */
export function tgiStreamEvent(
  token: TgiToken,
  index: number,
  final?: { readonly generatedText: string; readonly details: TgiStreamDetails },
): TgiStreamEventV1 {
  return { index, token, generated_text: final?.generatedText ?? null, details: final?.details ?? null };
}
