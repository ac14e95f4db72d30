// Every conversation of the fixtures rendered (or refused) exactly as transformers 4.36 did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import type { ChatMessage } from './chat-message.js';
import { compileChatTemplate } from './chat-template.js';
import { readChatFixtures } from './__fixtures__/chat-fixtures.js';

const fixtures = readChatFixtures();
const conversations = fixtures.conversations;

describe('chat templates render as transformers 4.36', () => {
  for (const [family, fixture] of Object.entries(fixtures.templates)) {
    const template = compileChatTemplate(fixture.template, {
      file: `${family}/tokenizer_config.json`,
      specialTokens: fixture.special_tokens_map_passed ?? {},
    });
    for (const render of fixture.renders) {
      const messages = conversations.get(render.conversation);
      it(`${family}: ${render.conversation}, add_generation_prompt ${render.add_generation_prompt}`, () => {
        assert.ok(messages !== undefined, render.conversation);
        const run = (): string => template.render(messages, { addGenerationPrompt: render.add_generation_prompt });
        if (render.error === undefined) {
          assert.equal(run(), render.rendered);
          return;
        }
        const message = render.error.message;
        assert.throws(run, (error: unknown) => {
          assert.ok(LlmDeployError.isInstance(error));
          assert.equal(error.code, 'TOKENIZER_CHAT_TEMPLATE_RAISED');
          assert.equal(error.httpStatus, 400);
          assert.ok(error.message.includes(message), error.message);
          return true;
        });
      });
    }
  }
});

describe('chat template errors', () => {
  it('a template that does not parse is TOKENIZER_CHAT_TEMPLATE_INVALID', () => {
    assert.throws(
      () => compileChatTemplate('{% for m in messages %}{{ m.content }}', { file: 'x/tokenizer_config.json', specialTokens: {} }),
      (error: unknown) =>
        LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_CHAT_TEMPLATE_INVALID' && error.file === 'x/tokenizer_config.json',
    );
  });

  it('a failure inside the engine is TOKENIZER_CHAT_TEMPLATE_FAILED, not the raised kind', () => {
    const template = compileChatTemplate('{{ messages[0].content.nope() }}', { file: 't', specialTokens: {} });
    const messages: ChatMessage[] = [{ role: 'user', content: 'x' }];
    assert.throws(
      () => template.render(messages, { addGenerationPrompt: false }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_CHAT_TEMPLATE_FAILED' && error.httpStatus === 400,
    );
  });

  it('unset special tokens are undefined in the template', () => {
    const template = compileChatTemplate('{{ bos_token is defined }}|{{ eos_token }}', { file: 't', specialTokens: { eos_token: '</s>' } });
    assert.equal(template.render([], { addGenerationPrompt: false }), 'false|</s>');
  });
});
