/**
 * vLLM's `POST /tokenize` and `POST /detokenize`. A conversation is tokenized exactly as
 * `/v1/chat/completions` feeds it to the model (`chat-prompt.ts`), so `count` equals that route's
 * `usage.prompt_tokens`; `max_model_len` is the longest prompt this server accepts.
 * @see https://docs.vllm.ai/en/v0.15.0/api/vllm/entrypoints/serve/tokenize/protocol/
 */
import type { FastifyInstance } from 'fastify';
import { parseDetokenizeRequest, parseTokenizeRequest, type TokenizeResponse } from '../../protocol/index.js';
import { chatPromptText } from '../chat-prompt.js';
import { encodeText, refuseIdsOutsideVocab } from '../generation.js';
import type { ServerRuntime } from '../runtime.js';
import { checkModelName } from './openai-common.js';

/** Registers `/tokenize` and `/detokenize`. */
export function registerTokenizeRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  app.post('/tokenize', async (request): Promise<TokenizeResponse> => {
    const body = parseTokenizeRequest(request.body);
    checkModelName(runtime, body.model);
    const model = runtime.model();
    const prompt =
      body.kind === 'prompt'
        ? { text: body.prompt, addSpecialTokens: body.addSpecialTokens }
        : chatPromptText(model, body.messages, {
            addGenerationPrompt: body.addGenerationPrompt,
            ...(body.addSpecialTokens === undefined ? {} : { addSpecialTokens: body.addSpecialTokens }),
          });
    const tokens = await encodeText(model.tokenizer, prompt.text, prompt.addSpecialTokens);
    const maxModelLen = Math.min(runtime.options.maxInputTokens, model.backend.info.maxInputTokens);
    return {
      count: tokens.length,
      max_model_len: maxModelLen,
      tokens,
      ...(body.returnTokenStrs ? { token_strs: tokens.map((id) => model.tokenizer.decode([id])) } : {}),
    };
  });

  app.post('/detokenize', async (request) => {
    const body = parseDetokenizeRequest(request.body);
    checkModelName(runtime, body.model);
    const tokenizer = runtime.model().tokenizer;
    refuseIdsOutsideVocab(tokenizer, body.tokens, 'tokens');
    return { prompt: tokenizer.decode(body.tokens) };
  });
}
