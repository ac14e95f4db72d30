// A model with a chat template, over HTTP: the prompt the engine receives is the template's render
// tokenized without special tokens, /tokenize answers the same ids, and the template's own
// raise_exception reaches the client as a 400 with its message. Renders are transformers 4.36's
// (src/tokenizer/chat/__fixtures__); the character tokenizer stands in for the model's tokenizer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { compileChatTemplate, type ChatTemplate } from '../../src/tokenizer/index.js';
import { readChatFixtures } from '../../src/tokenizer/chat/__fixtures__/chat-fixtures.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { TestBackend } from './support/test-backend.js';

const fixtures = readChatFixtures();

function templateOf(family: string): { template: ChatTemplate; renders: (typeof fixtures.templates)[string]['renders'] } {
  const fixture = fixtures.templates[family];
  assert.ok(fixture !== undefined, family);
  const template = compileChatTemplate(fixture.template, {
    file: `${family}/tokenizer_config.json`,
    specialTokens: fixture.special_tokens_map_passed ?? {},
  });
  return { template, renders: fixture.renders };
}

/** The character tokenizer's ids of a text, no `</s>` (add_special_tokens=False). */
function charIds(text: string): number[] {
  return [...text].map((char) => (char.codePointAt(0) ?? 0) + 3);
}

async function serverWith(template: ChatTemplate): Promise<{ server: LlmDeployServer; backend: TestBackend }> {
  const backend = new TestBackend({ maxInputTokens: 4096 });
  const server = createServer({ host: '127.0.0.1', port: 0, backend, tokenizer: charTokenizer(), chatTemplate: template, logger: false });
  await server.modelLoaded;
  return { server, backend };
}

describe('chat routes for a model with a template (Gemma 3, transformers 4.36 renders)', () => {
  const { template, renders } = templateOf('gemma3');
  let server: LlmDeployServer;
  let backend: TestBackend;
  before(async () => ({ server, backend } = await serverWith(template)));
  after(() => server.close());
  const post = (url: string, payload: object) => server.app.inject({ method: 'POST', url, payload });

  for (const render of renders.filter((item) => item.rendered !== undefined && item.add_generation_prompt)) {
    it(`${render.conversation}: the engine gets the render's ids and /tokenize agrees`, async () => {
      const messages = fixtures.conversations.get(render.conversation);
      const ids = charIds(render.rendered ?? '');
      const chat = await post('/v1/chat/completions', { messages, max_tokens: 3, temperature: 0 });
      assert.equal(chat.statusCode, 200, chat.body);
      assert.deepEqual(backend.requests.at(-1)?.inputIds, ids);
      assert.equal(chat.json().usage.prompt_tokens, ids.length);
      const tokenized = await post('/tokenize', { messages });
      assert.equal(tokenized.statusCode, 200, tokenized.body);
      assert.deepEqual(tokenized.json().tokens, ids);
      assert.equal(tokenized.json().count, ids.length);
    });
  }

  it('add_generation_prompt false on /tokenize renders without the model header', async () => {
    const render = renders.find((item) => item.conversation === 'system_user' && !item.add_generation_prompt);
    const response = await post('/tokenize', { messages: fixtures.conversations.get('system_user'), add_generation_prompt: false });
    assert.deepEqual(response.json().tokens, charIds(render?.rendered ?? ''));
  });

  it("the template's raise_exception is a 400 carrying its message, in OpenAI's error shape", async () => {
    const failing = renders.find((item) => item.error !== undefined);
    assert.ok(failing?.error !== undefined);
    const response = await post('/v1/chat/completions', { messages: fixtures.conversations.get(failing.conversation) });
    assert.equal(response.statusCode, 400);
    assert.ok(response.json().error.message.includes(failing.error.message), response.body);
    const tokenize = await post('/tokenize', { messages: fixtures.conversations.get(failing.conversation) });
    assert.equal(tokenize.statusCode, 400);
    assert.ok(tokenize.json().error.message.includes(failing.error.message), tokenize.body);
  });
});

describe('ChatML (llama-gqa) over /tokenize', () => {
  const { template, renders } = templateOf('llama-gqa');
  let server: LlmDeployServer;
  before(async () => ({ server } = await serverWith(template)));
  after(() => server.close());

  it('every recorded render, both generation-prompt settings', async () => {
    for (const render of renders) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/tokenize',
        payload: { messages: fixtures.conversations.get(render.conversation), add_generation_prompt: render.add_generation_prompt },
      });
      assert.deepEqual(response.json().tokens, charIds(render.rendered ?? ''), render.conversation);
    }
  });
});

describe('chat route limits and stop strings', () => {
  const { template } = templateOf('llama-gqa');
  let server: LlmDeployServer;
  before(async () => ({ server } = await serverWith(template)));
  after(() => server.close());
  const post = (payload: object) => server.app.inject({ method: 'POST', url: '/v1/chat/completions', payload });

  it('a stop string cuts the answer, with finish_reason stop', async () => {
    // the test backend answers the rendered prompt reversed: "\ntnatsissa>|trats_mi|<\n>|dne_mi|<iH..."
    const response = await post({ messages: [{ role: 'user', content: 'Hi' }], stop: ['|<'], temperature: 0, max_tokens: 40 });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().choices[0].message.content, '\ntnatsissa>|trats_mi');
    assert.equal(response.json().choices[0].finish_reason, 'stop');
  });

  it('too many messages, and a prompt past the input limit, are 400s naming the field', async () => {
    const many = Array.from({ length: 5000 }, () => ({ role: 'user', content: 'x' }));
    const crowded = await post({ messages: many });
    assert.equal(crowded.statusCode, 400);
    assert.equal(crowded.json().error.param, 'messages');
    const long = await post({ messages: [{ role: 'user', content: 'y'.repeat(5000) }] });
    assert.equal(long.statusCode, 400, long.body);
    assert.equal(long.json().error.param, 'messages');
  });
});
