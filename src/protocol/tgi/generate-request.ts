/**
 * TGI's `/generate` and `/generate_stream` request: `{"inputs": str, "parameters": {...}}` (and
 * `"stream"` on the compat route `/`), checked with TGI's own validation messages (status 422).
 * Unknown parameters are ignored, as TGI does. The server's new-token cap is applied when the
 * options are resolved, with the same field name.
 */
import { z } from 'zod';
import type { LlmDeployError } from '../../config/index.js';
import { PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { definedOnly, type GenerationOptions, type OptionFieldName } from '../generation-options.js';
import { HF_OPTION_NAMES } from '../hf-settings.js';
import { renderValue, zodError } from '../zod-error.js';

const float = z.number().nullish();
const int = z.number().int().nullish();

/** Schema of TGI's body (types only; ranges are checked with TGI's messages). */
export const tgiGenerateRequestSchema = z.object({
  inputs: z.string(),
  // only the compat route `/` reads it (https://github.com/huggingface/text-generation-inference/blob/main/router/src/server.rs, compat_generate)
  stream: z.boolean().nullish(),
  parameters: z
    .object({
      best_of: int,
      decoder_input_details: z.boolean().nullish(),
      details: z.boolean().nullish(),
      do_sample: z.boolean().nullish(),
      frequency_penalty: float,
      max_new_tokens: int,
      repetition_penalty: float,
      return_full_text: z.boolean().nullish(),
      seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
      stop: z.array(z.string()).nullish(),
      temperature: float,
      top_k: int,
      top_n_tokens: int,
      top_p: float,
      truncate: int,
      typical_p: float,
      watermark: z.boolean().nullish(),
    })
    .nullish(),
});

/** The raw TGI body. */
export type TgiGenerateRequestV1 = z.infer<typeof tgiGenerateRequestSchema>;

/** Server limits TGI's validation reads. */
export interface TgiLimits {
  /** Most stop sequences (TGI's `--max-stop-sequences`, default 4). */
  readonly maxStopSequences?: number;
  /** Largest `best_of` (TGI's `--max-best-of`, default 2). */
  readonly maxBestOf?: number;
  /** Most `top_n_tokens` (TGI's default 5). */
  readonly maxTopNTokens?: number;
  /** Longest prompt in tokens; `truncate` must be below it. */
  readonly maxInputTokens?: number;
  /** `/generate_stream`: best_of > 1 and decoder_input_details are refused; absent: the body's `stream` decides (compat route). */
  readonly streaming?: boolean;
}

/** A checked TGI request. Sampling is on when `do_sample` or any warper (temperature != 1, top_k, top_p, typical_p) is set, as in TGI. */
export interface TgiGenerateRequest {
  readonly inputs: string;
  readonly settings: GenerationOptions;
  /** Whether the answer is an event stream (the route's, or on `/` the body's `stream`). */
  readonly stream: boolean;
  /** An option by its place in the body, e.g. `parameters.max_new_tokens`. */
  readonly fieldName: OptionFieldName;
  readonly details: boolean;
  readonly decoderInputDetails: boolean;
  readonly returnFullText: boolean;
  readonly stop: readonly string[];
  readonly bestOf: number;
  readonly topNTokens: number;
  readonly watermark: boolean;
  readonly truncate?: number;
  readonly typicalP?: number;
  readonly frequencyPenalty?: number;
}

/** A TGI validation error: 422 with TGI's wording, naming the parameter. */
export function tgiValidationError(field: string, message: string, given?: unknown): LlmDeployError {
  return protocolError(message, {
    code: PROTOCOL_ERROR_CODES.parameterInvalid,
    httpStatus: 422,
    field,
    ...(given === undefined ? {} : { given: renderValue(given) }),
  });
}

type TgiParameters = NonNullable<NonNullable<TgiGenerateRequestV1['parameters']>>;

function check(p: TgiParameters, limits: TgiLimits & { readonly streaming: boolean }): void {
  const fail = (name: keyof TgiParameters, message: string): never => {
    throw tgiValidationError(`parameters.${name}`, message, p[name]);
  };
  const bestOf = p.best_of ?? 1;
  const maxBestOf = limits.maxBestOf ?? 2;
  if (bestOf < 1 || bestOf > maxBestOf) fail('best_of', `\`best_of\` must be > 0 and <= ${maxBestOf}. Given: ${bestOf}`);
  if (bestOf > 1 && limits.streaming) fail('best_of', '`best_of` != 1 is not allowed for this endpoint');
  if (bestOf > 1 && p.seed != null) fail('seed', '`seed` must not be set when `best_of` > 1');
  // 0 is greedy decoding on every route (real TGI refuses it here; its OpenAI routes take it as greedy)
  if (p.temperature != null && p.temperature < 0) fail('temperature', '`temperature` must be positive, or 0 for greedy decoding');
  if (p.repetition_penalty != null && p.repetition_penalty <= 0)
    fail('repetition_penalty', '`repetition_penalty` must be strictly positive');
  if (p.frequency_penalty != null && (p.frequency_penalty < -2 || p.frequency_penalty > 2))
    fail('frequency_penalty', '`frequency_penalty` must be >= -2.0 and <= 2.0');
  if (p.top_p != null && (p.top_p <= 0 || p.top_p >= 1)) fail('top_p', '`top_p` must be > 0.0 and < 1.0');
  if (p.typical_p != null && (p.typical_p <= 0 || p.typical_p >= 1)) fail('typical_p', '`typical_p` must be > 0.0 and < 1.0');
  if (p.top_k != null && p.top_k <= 0) fail('top_k', '`top_k` must be strictly positive');
  const maxTop = limits.maxTopNTokens ?? 5;
  if (p.top_n_tokens != null && (p.top_n_tokens < 0 || p.top_n_tokens > maxTop))
    fail('top_n_tokens', `\`top_n_tokens\` must be >= 0 and <= ${maxTop}`);
  if (p.max_new_tokens != null && p.max_new_tokens <= 0) fail('max_new_tokens', '`max_new_tokens` must be strictly positive');
  const maxStop = limits.maxStopSequences ?? 4;
  if (p.stop != null && p.stop.length > maxStop) fail('stop', `\`stop\` supports up to ${maxStop} stop sequences. Given: ${p.stop.length}`);
  const maxInput = limits.maxInputTokens ?? Number.MAX_SAFE_INTEGER;
  if (p.truncate != null && (p.truncate <= 0 || p.truncate > maxInput))
    fail('truncate', `\`truncate\` must be strictly positive and less than ${maxInput}. Given: ${p.truncate}`);
  if (limits.streaming && p.decoder_input_details === true)
    fail('decoder_input_details', '`decoder_input_details` == true is not supported when streaming tokens');
}

/**
 * Parses and checks a TGI body; mistakes are 422s with TGI's messages.
 * @example parseTgiGenerateRequest({ inputs: 'Hello', parameters: { max_new_tokens: 20 } }, { streaming: false })
 */
export function parseTgiGenerateRequest(body: unknown, limits: TgiLimits = {}): TgiGenerateRequest {
  const parsed = tgiGenerateRequestSchema.safeParse(body);
  if (!parsed.success) {
    const error = zodError(parsed.error, body, { code: PROTOCOL_ERROR_CODES.parameterInvalid, what: 'TGI request' });
    throw protocolError(error.message, {
      code: PROTOCOL_ERROR_CODES.parameterInvalid,
      httpStatus: 422,
      ...(error.field === undefined ? {} : { field: error.field }),
    });
  }
  const { inputs } = parsed.data;
  const p = parsed.data.parameters ?? {};
  if (inputs.length === 0) throw tgiValidationError('inputs', '`inputs` cannot be empty');
  const stream = limits.streaming ?? parsed.data.stream === true;
  check(p, { ...limits, streaming: stream });
  const warpers = (p.temperature != null && p.temperature !== 1) || p.top_k != null || p.top_p != null || p.typical_p != null;
  const sampling = p.do_sample === true || warpers;
  const bestOf = p.best_of ?? 1;
  if (bestOf > 1 && !sampling) throw tgiValidationError('parameters.best_of', 'you must use sampling when `best_of` is > 1', bestOf);
  const settings = definedOnly<GenerationOptions>({
    doSample: sampling,
    maxNewTokens: p.max_new_tokens ?? undefined,
    temperature: p.temperature ?? undefined,
    topK: p.top_k ?? undefined,
    topP: p.top_p ?? undefined,
    repetitionPenalty: p.repetition_penalty ?? undefined,
    seed: p.seed ?? undefined,
    numReturnSequences: bestOf > 1 ? bestOf : undefined,
  });
  return {
    inputs,
    settings,
    stream,
    fieldName: (option) => `parameters.${HF_OPTION_NAMES[option]}`,
    details: p.details === true,
    decoderInputDetails: p.decoder_input_details === true,
    returnFullText: p.return_full_text === true,
    stop: p.stop ?? [],
    bestOf,
    topNTokens: p.top_n_tokens ?? 0,
    watermark: p.watermark === true,
    ...(p.truncate == null ? {} : { truncate: p.truncate }),
    ...(p.typical_p == null ? {} : { typicalP: p.typical_p }),
    ...(p.frequency_penalty == null ? {} : { frequencyPenalty: p.frequency_penalty }),
  };
}
