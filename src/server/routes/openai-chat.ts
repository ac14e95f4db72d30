/**
 * `POST /v1/chat/completions` (OpenAI): the conversation becomes the prompt (`chat-prompt.ts`: the
 * model's chat template, or the plain rule for models without one), then generation runs as for
 * `/v1/completions`: `n` choices, `stop`, `seed`, streaming with `data: [DONE]` and
 * `stream_options.include_usage`, and the chosen tokens' log-probabilities on `logprobs: true`.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TokenEvent } from '../../engine/index.js';
import {
  openAiChatChunk,
  openAiChatCompletion,
  openAiChatTokenLogprob,
  openAiFinishReason,
  openAiUsage,
  parseOpenAiChatRequest,
  type OpenAiChatChoice,
  type OpenAiChatHead,
  type OpenAiChatLogprobs,
} from '../../protocol/index.js';
import { chatPromptIds } from '../chat-prompt.js';
import { clientDisconnectSignal, generateAll } from '../generation.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { cutAtStop } from '../stop-scanner.js';
import { checkModelName, choiceJobs, refusePenalties, servedName, streamChoices, tokenCounts } from './openai-common.js';

/** The chosen tokens' log-probabilities in the chat format; special tokens (`</s>`) are not part of the content and are left out. */
function chatLogprobs(model: LoadedModel, tokens: readonly { readonly tokenId: number; readonly logProb: number }[]): OpenAiChatLogprobs {
  const content = tokens
    .filter((token) => !model.tokenizer.isSpecial(token.tokenId))
    .map((token) => openAiChatTokenLogprob(model.tokenizer.decode([token.tokenId]), token.logProb));
  return { content };
}

/** Registers the chat completions route. */
export function registerOpenAiChatRoute(app: FastifyInstance, runtime: ServerRuntime): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseOpenAiChatRequest(request.body);
    checkModelName(runtime, body.model);
    refusePenalties(body);
    const model = runtime.model();
    const params = resolveOptions(runtime, model, { ...body.settings, numBeams: 1, numReturnSequences: 1 }, body.fieldName);
    const inputIds = await chatPromptIds(runtime, model, body.messages, { addGenerationPrompt: body.addGenerationPrompt });
    const { n, stop } = body;
    const jobs = choiceJobs(runtime, { prompts: [inputIds], n, params, stop, returnLogProbs: body.logprobs });
    const head: OpenAiChatHead = { id: `chatcmpl-${randomUUID()}`, model: servedName(runtime), createdS: Math.floor(Date.now() / 1000) };
    const logprobsOf = (tokens: readonly TokenEvent[]): OpenAiChatLogprobs | null => (body.logprobs ? chatLogprobs(model, tokens) : null);
    if (body.stream) {
      await streamChoices(
        runtime,
        reply,
        { model, jobs, stop, includeUsage: body.includeUsage, n },
        {
          start: (index) =>
            openAiChatChunk(head, [{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
          delta: (index, text, tokens) =>
            openAiChatChunk(head, [{ index, delta: { content: text }, logprobs: logprobsOf(tokens), finish_reason: null }]),
          finish: (index, text, tokens, reason) =>
            openAiChatChunk(head, [
              { index, delta: text.length > 0 ? { content: text } : {}, logprobs: logprobsOf(tokens), finish_reason: reason },
            ]),
          usage: (counts) => openAiChatChunk(head, [], openAiUsage(counts.promptTokens, counts.completionTokens)),
        },
      );
      return reply;
    }
    const clientSignal = clientDisconnectSignal(reply);
    const results = await runtime.track((controller) => generateAll(runtime, { controller, clientSignal }, jobs));
    const choices = results.map((result, index): OpenAiChatChoice => {
      const sequence = result.sequences[0];
      const tokenIds = sequence?.tokenIds ?? [];
      const content = cutAtStop(model.tokenizer.decode(tokenIds, { skipSpecialTokens: true }), stop);
      const logProbs = sequence?.tokenLogProbs ?? [];
      return {
        index,
        message: { role: 'assistant', content, refusal: null },
        logprobs: logprobsOf(tokenIds.map((tokenId, position) => ({ tokenId, index: position, logProb: logProbs[position] ?? 0 }))),
        finish_reason: openAiFinishReason(sequence?.finishReason ?? 'length'),
      };
    });
    return openAiChatCompletion(head, choices, tokenCounts(results, n));
  });
}
