/**
 * Runs generations for a route: applies the request timeout, cancels on client disconnect or
 * shutdown, records metrics, and turns an aborted generation into the right error.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import { LlmDeployError } from '../config/index.js';
import type { GenerateResult, GenerationParams, TokenEvent } from '../engine/index.js';
import { invalidField, requestTimedOut } from './errors.js';
import { describeValue } from './describe-value.js';
import { IncrementalDecoder } from './incremental-decoder.js';
import type { LoadedModel, ServerRuntime } from './runtime.js';

/** One prompt to generate for, already tokenized. */
export interface PromptJob {
  /** `[seq]` token ids including the trailing `</s>`. */
  readonly inputIds: readonly number[];
  /** Resolved once by the route (`resolveOptions`), so the route knows the numbers the engine uses. */
  readonly params: GenerationParams;
  readonly returnLogProbs?: boolean;
  /** `stopped` is true for the token that completed a stop sequence (the last one). */
  readonly onToken?: (event: TokenEvent, stopped: boolean) => void;
  /** Stop sequences: generation ends once the decoded text contains one (single-sequence jobs only). */
  readonly stop?: readonly string[];
}

/** Where a generation's cancellation comes from. */
export interface GenerationScope {
  /** Shutdown's controller from `ServerRuntime.track`. */
  readonly controller: AbortController;
  /** Fires when the client has gone away. */
  readonly clientSignal: AbortSignal;
}

/** The reply behind each client signal, so a cancellation is logged under its request id without every route passing it. */
const replies = new WeakMap<AbortSignal, FastifyReply>();

/** Aborts when the client closes the connection before the response was written. */
export function clientDisconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(clientClosed());
  });
  replies.set(controller.signal, reply);
  return controller.signal;
}

/** Why a generation was cancelled: the label of `llm_deploy_requests_cancelled_total`. */
export type CancelReason = 'client' | 'shutdown' | 'timeout';

function recordCancellation(runtime: ServerRuntime, scope: GenerationScope, reason: CancelReason): void {
  runtime.metrics.countCancelled(reason);
  const reply = replies.get(scope.clientSignal);
  reply?.log.warn({ reqId: reply.request.id, reason }, 'request cancelled');
}

function clientClosed(): LlmDeployError {
  return new LlmDeployError('client closed the connection', { code: 'SERVER_CLIENT_CLOSED', httpStatus: 499 });
}

/**
 * Submits all jobs together (the scheduler batches them) and resolves with one result per job.
 * If one fails or the request times out, the others are cancelled.
 */
export async function generateAll(runtime: ServerRuntime, scope: GenerationScope, jobs: readonly PromptJob[]): Promise<GenerateResult[]> {
  const model = runtime.model();
  const combined = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    combined.abort(requestTimedOut(runtime.options.requestTimeoutMs));
  }, runtime.options.requestTimeoutMs);
  const forward = (signal: AbortSignal) => () => combined.abort(signal.reason);
  const onShutdown = forward(scope.controller.signal);
  const onClient = forward(scope.clientSignal);
  scope.controller.signal.addEventListener('abort', onShutdown, { once: true });
  scope.clientSignal.addEventListener('abort', onClient, { once: true });
  try {
    const results = await Promise.all(jobs.map((job) => runOne(model, job, combined)));
    for (const result of results) recordResult(runtime, result);
    return results;
  } catch (error) {
    combined.abort(error);
    const reason: CancelReason | undefined = timedOut
      ? 'timeout'
      : scope.clientSignal.aborted
        ? 'client'
        : scope.controller.signal.aborted
          ? 'shutdown'
          : undefined;
    if (reason !== undefined) recordCancellation(runtime, scope, reason);
    if (timedOut) throw requestTimedOut(runtime.options.requestTimeoutMs);
    if (combined.signal.aborted && LlmDeployError.isInstance(combined.signal.reason) && combined.signal.reason !== error) {
      throw combined.signal.reason;
    }
    throw error;
  } finally {
    clearTimeout(timer);
    scope.controller.signal.removeEventListener('abort', onShutdown);
    scope.clientSignal.removeEventListener('abort', onClient);
  }
}

async function runOne(model: LoadedModel, job: PromptJob, combined: AbortController): Promise<GenerateResult> {
  const stops = job.stop?.filter((stop) => stop.length > 0) ?? [];
  if (stops.length > 0) return runWithStops(model, { ...job, stop: stops }, combined);
  try {
    const onToken = job.onToken;
    return await model.backend.generate({
      inputIds: job.inputIds,
      params: job.params,
      signal: combined.signal,
      ...(job.returnLogProbs === true ? { returnLogProbs: true } : {}),
      ...(onToken === undefined ? {} : { onToken: (event: TokenEvent) => onToken(event, false) }),
    });
  } catch (error) {
    // the first failure cancels its siblings
    if (!combined.signal.aborted) combined.abort(error);
    throw error;
  }
}

/**
 * Watches the decoded text of one sequence for stop strings; on a hit it cancels the generation
 * and answers the tokens up to the one that completed the stop (finish reason `stop`).
 */
async function runWithStops(model: LoadedModel, job: PromptJob, combined: AbortController): Promise<GenerateResult> {
  const stops = job.stop ?? [];
  const own = new AbortController();
  const forward = (): void => own.abort(combined.signal.reason);
  combined.signal.addEventListener('abort', forward, { once: true });
  const decoder = new IncrementalDecoder(model.tokenizer);
  const tokenIds: number[] = [];
  const logProbs: number[] = [];
  let text = '';
  let stopped = false;
  const started = performance.now();
  let firstTokenMs = 0;
  const onToken = (event: TokenEvent): void => {
    if (stopped) return;
    if (tokenIds.length === 0) firstTokenMs = performance.now() - started;
    tokenIds.push(event.tokenId);
    logProbs.push(event.logProb);
    text += decoder.push(event.tokenId);
    stopped = stops.some((stop) => text.includes(stop));
    job.onToken?.(event, stopped);
    if (stopped) own.abort(stopReached());
  };
  const stoppedResult = (inputTokenCount: number, queueMs: number): GenerateResult => ({
    sequences: [{ tokenIds, finishReason: 'stop', ...(job.returnLogProbs === true ? { tokenLogProbs: logProbs } : {}) }],
    inputTokenCount,
    timings: { queueMs, firstTokenMs, totalMs: performance.now() - started },
  });
  try {
    const result = await model.backend.generate({
      inputIds: job.inputIds,
      params: job.params,
      signal: own.signal,
      onToken,
      ...(job.returnLogProbs === true ? { returnLogProbs: true } : {}),
    });
    // a backend that reports tokens only at the end (Triton) finishes before the abort lands
    return stopped ? stoppedResult(result.inputTokenCount, result.timings.queueMs) : result;
  } catch (error) {
    if (stopped && !combined.signal.aborted) return stoppedResult(job.inputIds.length, 0);
    if (!combined.signal.aborted) combined.abort(error);
    throw error;
  } finally {
    combined.signal.removeEventListener('abort', forward);
  }
}

function stopReached(): LlmDeployError {
  return new LlmDeployError('stop sequence reached', { code: 'SERVER_STOP_REACHED', httpStatus: 200 });
}

function recordResult(runtime: ServerRuntime, result: GenerateResult): void {
  const tokens = result.sequences.reduce((sum, sequence) => sum + sequence.tokenIds.length, 0);
  runtime.metrics.addGeneratedTokens(tokens);
  runtime.metrics.observePromptTokens(result.inputTokenCount);
  runtime.metrics.observeQueueTime(result.timings.queueMs / 1000);
  runtime.metrics.observeTimeToFirstToken(result.timings.firstTokenMs / 1000);
  // Sequences of one generation advance together, one decode step per token of the longest.
  const intervals = Math.max(0, ...result.sequences.map((sequence) => sequence.tokenIds.length)) - 1;
  const decodeMs = result.timings.totalMs - result.timings.firstTokenMs;
  // A backend that answers whole sequences (Triton) reports its first token at the end: no intervals to see.
  if (intervals > 0 && decodeMs > 0) runtime.metrics.observeInterTokenLatency(decodeMs / intervals / 1000, intervals);
}

/** Settings that decide how a prompt is tokenized and limited. */
export interface EncodeOptions {
  /** JSON path of the prompt, for error messages (e.g. `instances[2]`). */
  readonly field: string;
  /** TGI `truncate`: keep only the last N tokens. */
  readonly keepLastTokens?: number;
  /** false: Hugging Face `add_special_tokens=False`, as a rendered chat template is tokenized (default true). */
  readonly addSpecialTokens?: boolean;
}

/**
 * Tokenizes a prompt and enforces the input limit: reject (400 naming the field) or keep the
 * start and the added special tokens (T5's `</s>`, Llama's `<s>`), as `inputTruncation` says. A prompt that cannot fit is refused before any
 * tokenization, and tokenization runs in slices, so no prompt holds the event loop for long.
 */
export async function encodePrompt(runtime: ServerRuntime, model: LoadedModel, text: unknown, options: EncodeOptions): Promise<number[]> {
  if (typeof text !== 'string') {
    throw invalidField('prompt must be a string', { field: options.field, given: describeValue(text), expected: 'a non-empty string' });
  }
  if (text.trim().length === 0) {
    throw invalidField('prompt must not be empty', { field: options.field, expected: 'a non-empty string' });
  }
  const limit = Math.min(runtime.options.maxInputTokens, model.backend.info.maxInputTokens);
  const rejects = runtime.options.inputTruncation === 'reject' && options.keepLastTokens === undefined;
  if (rejects) refuseTooManyChars(text, limit, model.tokenizer, options.field);
  // One turn of the event loop per prompt, so many small prompts in one request cannot hold it either.
  await nextTurn();
  const tokenizer = model.tokenizer;
  let ids = await encodeText(tokenizer, text, options.addSpecialTokens ?? true);
  if (options.keepLastTokens !== undefined && ids.length > options.keepLastTokens) {
    ids = ids.slice(ids.length - options.keepLastTokens);
  }
  if (ids.length <= limit) return ids;
  if (runtime.options.inputTruncation === 'truncate') {
    if (options.addSpecialTokens === false) return ids.slice(0, limit);
    return truncateKeepingSpecials(ids, await encodeText(tokenizer, text, false), limit);
  }
  throw invalidField('prompt is too long', {
    field: options.field,
    given: `${ids.length} tokens`,
    expected: `at most ${limit} tokens`,
  });
}

/**
 * Hugging Face truncation: the text's own tokens are cut and the special tokens the post-processor
 * added around them are kept (`num_special_tokens_to_add`), e.g. `[..., </s>]` for T5, `[<s>, ...]`
 * for Llama, no special token for GPT-2.
 */
function truncateKeepingSpecials(withSpecials: readonly number[], plain: readonly number[], limit: number): number[] {
  // the added tokens are few, so only that many starting points are tried
  const added = withSpecials.length - plain.length;
  let start = 0;
  while (start <= added && !plain.every((id, offset) => withSpecials[start + offset] === id)) start += 1;
  if (added < 0 || start > added) return withSpecials.slice(0, limit);
  const prefix = withSpecials.slice(0, start);
  const suffix = withSpecials.slice(start + plain.length);
  return [...prefix, ...plain.slice(0, Math.max(0, limit - prefix.length - suffix.length)), ...suffix];
}

/** A prompt given as token ids: each id in the vocabulary, and no longer than the input limit (never cut). */
export function checkPromptIds(runtime: ServerRuntime, model: LoadedModel, ids: readonly number[], field: string): number[] {
  refuseIdsOutsideVocab(model.tokenizer, ids, field);
  const limit = Math.min(runtime.options.maxInputTokens, model.backend.info.maxInputTokens);
  if (ids.length > limit)
    throw invalidField('prompt is too long', { field, given: `${ids.length} tokens`, expected: `at most ${limit} tokens` });
  return [...ids];
}

/** Hugging Face's decode raises on an id outside the vocabulary (sentencepiece: "piece id is out of range"). */
export function refuseIdsOutsideVocab(tokenizer: LoadedModel['tokenizer'], ids: readonly number[], field: string): void {
  const vocabSize = tokenizer.vocabSize;
  const outside = vocabSize === undefined ? -1 : ids.findIndex((id) => id >= vocabSize);
  if (outside < 0) return;
  throw invalidField('token id outside the vocabulary', {
    field: `${field}[${outside}]`,
    given: String(ids[outside]),
    expected: `ids from 0 to ${(vocabSize ?? 0) - 1}`,
  });
}

/** Text to ids, in slices where the tokenizer can; `addSpecialTokens` false is Hugging Face `add_special_tokens=False`. */
export async function encodeText(tokenizer: LoadedModel['tokenizer'], text: string, addSpecialTokens: boolean): Promise<number[]> {
  const options = { addSpecialTokens };
  return tokenizer.encodeAsync === undefined ? tokenizer.encode(text, options) : await tokenizer.encodeAsync(text, options);
}

/**
 * No token stands for more than `maxTokenChars` characters, so a longer prompt than `limit` times
 * that has more than `limit` tokens. The exceptions are runs SentencePiece folds into one token
 * (characters outside the vocabulary, whitespace, characters normalization drops or composes): a
 * prompt made of such runs is refused here although it might fit; the model would see only `<unk>`s.
 */
function refuseTooManyChars(text: string, limit: number, tokenizer: LoadedModel['tokenizer'], field: string): void {
  const maxTokenChars = tokenizer.maxTokenChars;
  if (maxTokenChars === undefined || text.length <= limit * maxTokenChars) return;
  throw invalidField('prompt is too long', {
    field,
    given: `${text.length} characters`,
    expected: `at most ${limit * maxTokenChars} characters, ${limit} tokens of at most ${maxTokenChars} characters each`,
  });
}
