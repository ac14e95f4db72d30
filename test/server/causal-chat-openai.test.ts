// /v1/chat/completions on a decoder-only model with a ChatML template (llama-gqa), driven by the
// official `openai` client over a real socket. The prompt ids must be transformers 4.36's render ids
// (expected.json chat_template.renders); no reference answer exists for a chat, so the answer is
// checked against this server's plain completions route fed those same ids.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import type { LlmDeployServer } from '../../src/server/index.js';
import { readChatFixtures } from '../../src/tokenizer/chat/__fixtures__/chat-fixtures.js';
import { startNativeServer } from './support/native-server.js';

const MODEL_DIR = fileURLToPath(new URL('../fixtures/causal/llama-gqa', import.meta.url));
const MAX_TOKENS = 16;

interface Render {
  readonly conversation: string;
  readonly add_generation_prompt: boolean;
  readonly token_ids: readonly number[];
}
const renders = (
  JSON.parse(readFileSync(`${MODEL_DIR}/expected.json`, 'utf8')) as { chat_template: { renders: Render[] } }
).chat_template.renders.filter((render) => render.add_generation_prompt);
const { conversations } = readChatFixtures();

describe('chat completions through the openai client on llama-gqa (ChatML template)', () => {
  let server: LlmDeployServer;
  let base: string;
  let client: OpenAI;
  before(async () => {
    ({ server, base } = await startNativeServer(MODEL_DIR));
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => server.close());

  /** The plain completions route's greedy answer for exactly these prompt ids. */
  async function completionOfIds(ids: readonly number[]): Promise<string> {
    const completion = await client.completions.create({ model: 'llama-gqa', prompt: [...ids], max_tokens: MAX_TOKENS, temperature: 0 });
    return completion.choices[0]?.text ?? '';
  }

  it('a token-id prompt outside the vocabulary is a 400 naming the id', async () => {
    const response = await fetch(`${base}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: [1, 99999], max_tokens: 2 }),
    });
    assert.equal(response.status, 400);
    assert.match(JSON.stringify(await response.json()), /prompt\[1\]/);
  });

  for (const render of renders) {
    it(`${render.conversation}: prompt ids are the render's, the answer is the completions route's for them (stream and not)`, async () => {
      const messages = conversations.get(render.conversation);
      assert.ok(messages !== undefined, render.conversation);
      const tokenized = (await (
        await fetch(`${base}/tokenize`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ messages, add_generation_prompt: true }),
        })
      ).json()) as { tokens: number[] };
      assert.deepEqual(tokenized.tokens, render.token_ids);
      const chatMessages = messages.map((message) => ({
        role: message.role,
        content: message.content,
      })) as OpenAI.ChatCompletionMessageParam[];
      const chat = await client.chat.completions.create({
        model: 'llama-gqa',
        messages: chatMessages,
        max_tokens: MAX_TOKENS,
        temperature: 0,
      });
      assert.equal(chat.usage?.prompt_tokens, render.token_ids.length);
      const wanted = await completionOfIds(render.token_ids);
      assert.equal(chat.choices[0]?.message.content, wanted);
      const stream = await client.chat.completions.create({
        model: 'llama-gqa',
        messages: chatMessages,
        max_tokens: MAX_TOKENS,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      });
      let streamed = '';
      let promptTokens: number | undefined;
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta.content ?? '';
        promptTokens = chunk.usage?.prompt_tokens ?? promptTokens;
      }
      assert.equal(streamed, wanted);
      assert.equal(promptTokens, render.token_ids.length);
    });
  }
});
