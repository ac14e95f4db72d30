/**
 * Hugging Face TGI routes: `POST /generate` (JSON), `POST /generate_stream` (server-sent
 * events, one per token; the last one carries the full text and the details) and TGI's compat
 * route `POST /`, which older clients (`@huggingface/inference` 2.x) call.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LlmDeployError } from '../../config/index.js';
import {
  parseTgiGenerateRequest,
  tgiFinishReason,
  tgiStreamEvent,
  tgiValidationError,
  type TgiGenerateRequest,
  type TgiGenerateResponseV1,
  type TgiPrefillToken,
  type TgiToken,
} from '../../protocol/index.js';
import type { GenerateResult, GenerationParams, TokenEvent } from '../../engine/index.js';
import { clientDisconnectSignal, encodePrompt, generateAll } from '../generation.js';
import { IncrementalDecoder } from '../incremental-decoder.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { openEventStream, streamError } from '../sse.js';

/** Registers `/generate` and `/generate_stream`. */
export function registerGenerateRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  app.post('/generate', async (request, reply) => generateOnce(runtime, reply, await prepare(runtime, request, false)));

  app.post('/generate_stream', async (request, reply) => {
    await streamTokens(runtime, reply, await prepare(runtime, request, true));
    return reply;
  });

  // TGI's compat_generate: `"stream": true` answers as /generate_stream does, otherwise the
  // /generate answer inside a one-element array
  // (https://github.com/huggingface/text-generation-inference/blob/main/router/src/server.rs)
  app.post('/', async (request, reply) => {
    const prepared = await prepare(runtime, request, undefined);
    if (!prepared.stream) return [await generateOnce(runtime, reply, prepared)];
    await streamTokens(runtime, reply, prepared);
    return reply;
  });
}

async function generateOnce(runtime: ServerRuntime, reply: FastifyReply, prepared: Prepared): Promise<TgiGenerateResponseV1> {
  const started = prepared.started;
  const clientSignal = clientDisconnectSignal(reply);
  const [result] = await runtime.track((controller) =>
    generateAll(runtime, { controller, clientSignal }, [
      { inputIds: prepared.inputIds, params: prepared.params, returnLogProbs: prepared.details, stop: prepared.stop },
    ]),
  );
  if (result === undefined) throw new LlmDeployError('backend returned no result', { code: 'SERVER_INTERNAL' });
  const sequence = result.sequences[0];
  const tokenIds = sequence?.tokenIds ?? [];
  const text = prepared.fullTextPrefix + prepared.model.tokenizer.decode(tokenIds, { skipSpecialTokens: true });
  setTimingHeaders(reply, { runtime, result, started, textLength: text.length, generatedTokens: tokenIds.length });
  if (!prepared.details) return { generated_text: text };
  return {
    generated_text: text,
    details: {
      finish_reason: tgiFinishReason(sequence?.finishReason ?? 'length'),
      generated_tokens: tokenIds.length,
      seed: prepared.params.seed ?? null,
      prefill: prepared.decoderInputDetails ? prefillTokens(prepared.model, prepared.inputIds) : [],
      tokens: tokenObjects(prepared.model, tokenIds, sequence?.tokenLogProbs),
    },
  };
}

interface Prepared {
  /** When the request arrived, for the timing headers. */
  readonly started: number;
  readonly stream: boolean;
  readonly model: LoadedModel;
  readonly inputIds: number[];
  readonly params: GenerationParams;
  readonly details: boolean;
  readonly decoderInputDetails: boolean;
  readonly stop: readonly string[];
  /**
   * `return_full_text` (default false): TGI puts the request's `inputs` string before the generated
   * text, for every model, in `generated_text` only; tokens stay the new ones
   * (https://github.com/huggingface/text-generation-inference/blob/main/router/src/server.rs, `add_prompt`).
   */
  readonly fullTextPrefix: string;
}

/** `streaming` undefined: the body's `stream` decides (the compat route). */
async function prepare(runtime: ServerRuntime, request: FastifyRequest, streaming: boolean | undefined): Promise<Prepared> {
  const started = performance.now();
  const model = runtime.model();
  const maxInputTokens = Math.min(runtime.options.maxInputTokens, model.backend.info.maxInputTokens);
  const body = parseTgiGenerateRequest(request.body, { maxInputTokens, ...(streaming === undefined ? {} : { streaming }) });
  refuseUnsupported(body);
  const params = resolveOptions(runtime, model, { ...body.settings, numBeams: 1, numReturnSequences: 1 }, body.fieldName);
  const inputIds = await encodePrompt(runtime, model, body.inputs, {
    field: 'inputs',
    ...(body.truncate === undefined ? {} : { keepLastTokens: body.truncate }),
  });
  return {
    started,
    stream: body.stream,
    model,
    inputIds,
    params,
    details: body.details,
    decoderInputDetails: body.decoderInputDetails,
    stop: body.stop,
    fullTextPrefix: body.returnFullText ? body.inputs : '',
  };
}

/** TGI parameters we parse but cannot honour are refused (422), never silently dropped. */
function refuseUnsupported(body: TgiGenerateRequest): void {
  const refuse = (name: string, what: string): never => {
    throw tgiValidationError(`parameters.${name}`, `\`${name}\` ${what} is not supported by this server`);
  };
  if (body.bestOf > 1) refuse('best_of', '> 1');
  if (body.topNTokens > 0) refuse('top_n_tokens', '> 0');
  if (body.watermark) refuse('watermark', '== true');
  if (body.typicalP !== undefined) refuse('typical_p', '(typical sampling)');
  if (body.frequencyPenalty !== undefined && body.frequencyPenalty !== 0) refuse('frequency_penalty', '!= 0');
}

async function streamTokens(runtime: ServerRuntime, reply: FastifyReply, prepared: Prepared): Promise<void> {
  const { model, params } = prepared;
  const decoder = new IncrementalDecoder(model.tokenizer);
  const clientSignal = clientDisconnectSignal(reply);
  // capacity is checked before the stream opens, so overload is still a plain 429
  await runtime.track(async (controller) => {
    const stream = openEventStream(reply);
    let held: { event: TokenEvent; token: TgiToken } | undefined;
    const onToken = (event: TokenEvent, stopped: boolean): void => {
      const special = model.tokenizer.isSpecial(event.tokenId);
      const token = { id: event.tokenId, text: decoder.push(event.tokenId), logprob: event.logProb, special };
      // the final token's event must carry the details, so hold it until the result is in
      const mayBeLast = stopped || event.tokenId === model.tokenizer.eosTokenId || event.index + 1 >= params.maxNewTokens;
      if (mayBeLast) held = { event, token };
      else stream.send(tgiStreamEvent(token, event.index));
    };
    try {
      const [result] = await generateAll(runtime, { controller, clientSignal }, [
        { inputIds: prepared.inputIds, params, onToken, stop: prepared.stop },
      ]);
      const sequence = result?.sequences[0];
      const last = held ?? lastTokenFallback(model, sequence?.tokenIds);
      const details = {
        finish_reason: tgiFinishReason(sequence?.finishReason ?? 'length'),
        generated_tokens: sequence?.tokenIds.length ?? 0,
        seed: params.seed ?? null,
        input_length: prepared.inputIds.length,
      };
      stream.send(tgiStreamEvent(last.token, last.event.index, { generatedText: prepared.fullTextPrefix + decoder.fullText(), details }));
    } catch (error) {
      stream.send(streamError(reply, error, 'tgi'));
    } finally {
      stream.end();
    }
  });
}

function lastTokenFallback(model: LoadedModel, tokenIds: readonly number[] | undefined): { event: TokenEvent; token: TgiToken } {
  const index = Math.max(0, (tokenIds?.length ?? 1) - 1);
  const id = tokenIds?.[index] ?? model.tokenizer.eosTokenId;
  return { event: { tokenId: id, index, logProb: 0 }, token: { id, text: '', logprob: null, special: model.tokenizer.isSpecial(id) } };
}

function tokenObjects(model: LoadedModel, ids: readonly number[], logProbs: readonly number[] | undefined): TgiToken[] {
  const decoder = new IncrementalDecoder(model.tokenizer);
  return ids.map((id, index) => ({
    id,
    text: decoder.push(id),
    logprob: logProbs?.[index] ?? null,
    special: model.tokenizer.isSpecial(id),
  }));
}

function prefillTokens(model: LoadedModel, ids: readonly number[]): TgiPrefillToken[] {
  return ids.map((id) => ({ id, text: model.tokenizer.decode([id], { skipSpecialTokens: false }), logprob: null }));
}

function setTimingHeaders(
  reply: FastifyReply,
  facts: { runtime: ServerRuntime; result: GenerateResult; started: number; textLength: number; generatedTokens: number },
): void {
  const { result } = facts;
  const totalMs = performance.now() - facts.started;
  const inferenceMs = result.timings.totalMs - result.timings.queueMs;
  reply.headers({
    'x-compute-type': facts.runtime.model().backend.info.provider,
    'x-compute-time': (result.timings.totalMs / 1000).toFixed(6),
    'x-compute-characters': String(facts.textLength),
    'x-total-time': String(Math.round(totalMs)),
    'x-validation-time': String(Math.max(0, Math.round(totalMs - result.timings.totalMs))),
    'x-queue-time': String(Math.round(result.timings.queueMs)),
    'x-inference-time': String(Math.round(inferenceMs)),
    'x-time-per-token': String(Math.round(inferenceMs / Math.max(1, facts.generatedTokens))),
    'x-prompt-tokens': String(result.inputTokenCount),
    'x-generated-tokens': String(facts.generatedTokens),
  });
}
