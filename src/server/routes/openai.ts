/**
 * OpenAI-compatible routes: `POST /v1/completions` (JSON, or SSE with `stream: true` ending in
 * `data: [DONE]`), `GET /v1/models` and `GET /v1/models/{model}`. A `model` other than the served
 * one is 404 `model_not_found`, as OpenAI and vLLM answer it, unless `openAiAnyModel` is set.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GenerateResult, TokenEvent } from '../../engine/index.js';
import {
  OPENAI_STREAM_DONE,
  openAiCompletion,
  openAiFinishReason,
  parseOpenAiCompletionRequest,
  type OpenAiCompletionChoice,
  type OpenAiCompletionRequest,
  type OpenAiCompletionResponseV1,
} from '../../protocol/index.js';
import { invalidField, modelNotFound } from '../errors.js';
import { clientDisconnectSignal, encodePrompt, generateAll, type PromptJob } from '../generation.js';
import { IncrementalDecoder } from '../incremental-decoder.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { openEventStream, streamError } from '../sse.js';
import { StopScanner, cutAtStop } from '../stop-scanner.js';

/** What every response object of one completion shares. */
interface CompletionHead {
  readonly id: string;
  readonly model: string;
  readonly createdS: number;
}

/** Registers the OpenAI routes. */
export function registerOpenAiRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  app.get('/v1/models', async () => ({ object: 'list', data: [modelObject(servedName(runtime))] }));
  // the models retrieve call (https://platform.openai.com/docs/api-reference/models/retrieve)
  app.get('/v1/models/*', async (request) => {
    const params: unknown = request.params;
    const id = typeof params === 'object' && params !== null && '*' in params && typeof params['*'] === 'string' ? params['*'] : '';
    // ids may hold a slash (`org/name`), hence the wildcard
    const served = servedName(runtime);
    if (id !== served) throw modelNotFound(id, served);
    return modelObject(served);
  });

  app.post('/v1/completions', async (request, reply) => {
    const body = parseOpenAiCompletionRequest(request.body, { maxPrompts: runtime.options.maxInstances });
    checkModelName(runtime, body.model);
    refuseUnsupported(body);
    const { prompts, n, stop } = body;
    if (prompts.length * n > runtime.options.maxInstances) {
      throw invalidField('batch size exceeded', {
        field: 'n',
        given: `${prompts.length} prompts x n=${n}`,
        expected: `at most ${runtime.options.maxInstances} completions`,
      });
    }
    // each choice is its own single-sequence job: the scheduler batches them and each can stream
    const model = runtime.model();
    const params = resolveOptions(runtime, model, { ...body.settings, numBeams: 1, numReturnSequences: 1 }, body.fieldName);
    const jobs: PromptJob[] = [];
    for (const [promptIndex, prompt] of prompts.entries()) {
      const inputIds = await encodePrompt(runtime, model, prompt, { field: body.promptFields[promptIndex] ?? 'prompt' });
      // distinct seeds so n samples of one prompt differ yet stay reproducible
      for (let copy = 0; copy < n; copy += 1) {
        jobs.push({ inputIds, params: params.seed === undefined ? params : { ...params, seed: params.seed + copy }, stop });
      }
    }
    const head: CompletionHead = { id: `cmpl-${randomUUID()}`, model: servedName(runtime), createdS: Math.floor(Date.now() / 1000) };
    // `echo`: the prompt text before each choice's completion, for every model
    // (https://platform.openai.com/docs/api-reference/completions/create); a stop string is looked for in the completion only
    const echoes = jobs.map((_, index) => (body.echo ? (prompts[Math.floor(index / n)] ?? '') : ''));
    if (body.stream) {
      await streamCompletions(runtime, reply, { head, model, jobs, stop, includeUsage: body.includeUsage, n, echoes });
      return reply;
    }
    const clientSignal = clientDisconnectSignal(reply);
    const results = await runtime.track((controller) => generateAll(runtime, { controller, clientSignal }, jobs));
    const choices = results.map((result, index): OpenAiCompletionChoice => {
      const sequence = result.sequences[0];
      const text = (echoes[index] ?? '') + cutAtStop(model.tokenizer.decode(sequence?.tokenIds ?? [], { skipSpecialTokens: true }), stop);
      return { index, text, logprobs: null, finish_reason: openAiFinishReason(sequence?.finishReason ?? 'length') };
    });
    return openAiCompletion({ ...head, choices, ...tokenCounts(results, n) });
  });
}

function servedName(runtime: ServerRuntime): string {
  return runtime.options.modelName ?? runtime.model().backend.info.modelName;
}

function modelObject(id: string): { id: string; object: 'model'; created: number; owned_by: string } {
  return { id, object: 'model', created: 0, owned_by: 'llm-deploy' };
}

/** An absent `model` is taken as the served one; another name is refused unless any name is allowed. */
function checkModelName(runtime: ServerRuntime, model: string | undefined): void {
  if (model === undefined || runtime.options.openAiAnyModel) return;
  const served = servedName(runtime);
  if (model !== served) throw modelNotFound(model, served);
}

/** Fields the protocol parses that we cannot honour are refused by name, never ignored. */
function refuseUnsupported(body: OpenAiCompletionRequest): void {
  const refuse = (field: string, message: string): never => {
    throw invalidField(message, { field });
  };
  if (body.logprobs !== null && body.logprobs > 0) refuse('logprobs', 'logprobs are not supported');
  if (body.frequencyPenalty !== 0) refuse('frequency_penalty', 'frequency_penalty is not supported; use repetition_penalty');
  if (body.presencePenalty !== 0) refuse('presence_penalty', 'presence_penalty is not supported; use repetition_penalty');
}

/** Results come `n` per prompt; each prompt's tokens count once, as OpenAI bills them. */
function tokenCounts(results: readonly GenerateResult[], n: number): { promptTokens: number; completionTokens: number } {
  const promptTokens = results.reduce((sum, result, index) => sum + (index % n === 0 ? result.inputTokenCount : 0), 0);
  const completionTokens = results.reduce((sum, result) => sum + (result.sequences[0]?.tokenIds.length ?? 0), 0);
  return { promptTokens, completionTokens };
}

interface StreamPlan {
  readonly head: CompletionHead;
  readonly model: LoadedModel;
  readonly jobs: readonly PromptJob[];
  readonly stop: readonly string[];
  readonly includeUsage: boolean;
  /** Choices per prompt. */
  readonly n: number;
  /** Per job: the prompt text sent as the choice's first chunk (`echo`), or ''. */
  readonly echoes: readonly string[];
}

async function streamCompletions(runtime: ServerRuntime, reply: FastifyReply, plan: StreamPlan): Promise<void> {
  const clientSignal = clientDisconnectSignal(reply);
  await runtime.track(async (controller) => {
    const stream = openEventStream(reply);
    const chunk = (index: number, text: string, finishReason: OpenAiCompletionChoice['finish_reason']): OpenAiCompletionResponseV1 =>
      openAiCompletion({ ...plan.head, choices: [{ index, text, logprobs: null, finish_reason: finishReason }] });
    const decoders = plan.jobs.map(() => new IncrementalDecoder(plan.model.tokenizer));
    // text that may turn into a stop sequence is held back; the stop itself is never sent
    const scanners = plan.jobs.map(() => new StopScanner(plan.stop));
    const jobs = plan.jobs.map((job, index) => ({
      ...job,
      onToken: (event: TokenEvent) => {
        const text = scanners[index]?.push(decoders[index]?.push(event.tokenId) ?? '') ?? '';
        if (text.length > 0) stream.send(chunk(index, text, null));
      },
    }));
    plan.echoes.forEach((echo, index) => {
      if (echo.length > 0) stream.send(chunk(index, echo, null));
    });
    try {
      const results = await generateAll(runtime, { controller, clientSignal }, jobs);
      results.forEach((result, index) => {
        const reason = openAiFinishReason(result.sequences[0]?.finishReason ?? 'length');
        const rest = scanners[index]?.push(decoders[index]?.flush() ?? '') ?? '';
        stream.send(chunk(index, rest + (scanners[index]?.flush() ?? ''), reason));
      });
      if (plan.includeUsage) stream.send(openAiCompletion({ ...plan.head, choices: [], ...tokenCounts(results, plan.n) }));
    } catch (error) {
      stream.send(streamError(reply, error, 'openai'));
    } finally {
      stream.send(OPENAI_STREAM_DONE);
      stream.end();
    }
  });
}
