/**
 * OpenAI-compatible routes: `POST /v1/completions` (JSON, or SSE with `stream: true` ending in
 * `data: [DONE]`), `GET /v1/models` and `GET /v1/models/{model}`. A `model` other than the served
 * one is 404 `model_not_found`, as OpenAI and vLLM answer it, unless `openAiAnyModel` is set.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  openAiCompletion,
  openAiFinishReason,
  parseOpenAiCompletionRequest,
  type OpenAiCompletionChoice,
  type OpenAiCompletionRequest,
} from '../../protocol/index.js';
import { invalidField, modelNotFound } from '../errors.js';
import { checkPromptIds, clientDisconnectSignal, encodePrompt, generateAll } from '../generation.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { cutAtStop } from '../stop-scanner.js';
import { checkModelName, choiceJobs, modelObject, refusePenalties, servedName, streamChoices, tokenCounts } from './openai-common.js';

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
    const model = runtime.model();
    const params = resolveOptions(runtime, model, { ...body.settings, numBeams: 1, numReturnSequences: 1 }, body.fieldName);
    const inputIds: number[][] = [];
    for (const [promptIndex, prompt] of prompts.entries()) {
      const field = body.promptFields[promptIndex] ?? 'prompt';
      inputIds.push(
        typeof prompt === 'string' ? await encodePrompt(runtime, model, prompt, { field }) : checkPromptIds(runtime, model, prompt, field),
      );
    }
    const jobs = choiceJobs(runtime, { prompts: inputIds, n, params, stop });
    const head: CompletionHead = { id: `cmpl-${randomUUID()}`, model: servedName(runtime), createdS: Math.floor(Date.now() / 1000) };
    // `echo`: the prompt text before each choice's completion, for every model
    // (https://platform.openai.com/docs/api-reference/completions/create); a stop string is looked for in the completion only
    const echoes = jobs.map((_, index) => (body.echo ? promptText(model, prompts[Math.floor(index / n)] ?? '') : ''));
    if (body.stream) {
      const chunk = (index: number, text: string, finishReason: OpenAiCompletionChoice['finish_reason']) =>
        openAiCompletion({ ...head, choices: [{ index, text, logprobs: null, finish_reason: finishReason }] });
      await streamChoices(
        runtime,
        reply,
        { model, jobs, stop, includeUsage: body.includeUsage, n },
        {
          // the echoed prompt is each choice's first chunk
          ...(body.echo ? { start: (index: number) => chunk(index, echoes[index] ?? '', null) } : {}),
          delta: (index, text) => chunk(index, text, null),
          finish: (index, text, _tokens, reason) => chunk(index, text, reason),
          usage: (counts) => openAiCompletion({ ...head, choices: [], ...counts }),
        },
      );
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

/** Fields the protocol parses that we cannot honour are refused by name, never ignored. */
function refuseUnsupported(body: OpenAiCompletionRequest): void {
  if (body.logprobs !== null && body.logprobs > 0) throw invalidField('logprobs are not supported', { field: 'logprobs' });
  refusePenalties(body);
}

/** The text an echo repeats: the prompt as written, or its ids decoded as Hugging Face's decode does. */
function promptText(model: LoadedModel, prompt: string | readonly number[]): string {
  return typeof prompt === 'string' ? prompt : model.tokenizer.decode(prompt);
}
