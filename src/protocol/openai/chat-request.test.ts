import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertLlmDeployError } from '../__fixtures__/assert-error.js';
import { parseChatMessages } from './chat-messages.js';
import { parseOpenAiChatRequest } from './chat-request.js';
import { parseDetokenizeRequest, parseTokenizeRequest } from './tokenize-request.js';

const user = [{ role: 'user', content: 'Hi' }];

describe('chat completions request', () => {
  it("OpenAI's defaults: temperature 1 sampling, n 1, the model's own token limit, generation prompt on", () => {
    const request = parseOpenAiChatRequest({ model: 't5', messages: user });
    assert.deepEqual(request.settings, { doSample: true, temperature: 1, topP: 1, topK: 0, numReturnSequences: 1 });
    assert.deepEqual([request.n, request.stream, request.logprobs, request.addGenerationPrompt], [1, false, false, true]);
    assert.deepEqual(request.messages, user);
  });

  it('max_completion_tokens wins over max_tokens and refusals name it', () => {
    const request = parseOpenAiChatRequest({ messages: user, max_tokens: 5, max_completion_tokens: 7, temperature: 0, seed: 4 });
    assert.deepEqual(request.settings, { maxNewTokens: 7, doSample: false, numReturnSequences: 1, seed: 4 });
    assert.equal(request.fieldName('maxNewTokens'), 'max_completion_tokens');
    assert.equal(parseOpenAiChatRequest({ messages: user, max_tokens: 5 }).fieldName('maxNewTokens'), 'max_tokens');
  });

  it('stream, include_usage, stop, logprobs and response_format text pass', () => {
    const request = parseOpenAiChatRequest({
      messages: user,
      stream: true,
      stream_options: { include_usage: true },
      stop: ['\n'],
      logprobs: true,
      top_logprobs: 0,
      response_format: { type: 'text' },
      tools: [],
      tool_choice: 'none',
    });
    assert.deepEqual([request.stream, request.includeUsage, request.stop, request.logprobs], [true, true, ['\n'], true]);
  });

  const refused: [string, object, string][] = [
    ['tools', { tools: [{ type: 'function', function: { name: 'f' } }] }, 'tool calling is not supported'],
    ['tool_choice', { tool_choice: 'auto' }, 'tool_choice'],
    ['functions', { functions: [{ name: 'f' }] }, 'functions'],
    ['response_format json', { response_format: { type: 'json_object' } }, 'response_format'],
    ['top_logprobs', { logprobs: true, top_logprobs: 2 }, 'top_logprobs'],
    ['audio', { modalities: ['text', 'audio'] }, 'modalities'],
    ['logit_bias', { logit_bias: { '5': 1 } }, 'logit_bias'],
    ['min_p', { min_p: 0.1 }, 'min_p'],
  ];
  for (const [name, extra, part] of refused) {
    it(`refuses ${name} with a 400 naming it`, () => {
      assertLlmDeployError(() => parseOpenAiChatRequest({ messages: user, ...extra }), {
        status: 400,
        code: 'PROTOCOL_UNSUPPORTED',
        parts: [part],
      });
    });
  }

  it('unknown fields and bad values are 400s', () => {
    assertLlmDeployError(() => parseOpenAiChatRequest({ messages: user, mystery: 1 }), { status: 400, parts: ['mystery'] });
    assertLlmDeployError(() => parseOpenAiChatRequest({ messages: user, temperature: 3 }), { status: 400, parts: ['temperature'] });
    assertLlmDeployError(() => parseOpenAiChatRequest({ messages: user, n: 2, temperature: 0 }), { status: 400, parts: ['n'] });
  });
});

describe('chat messages', () => {
  it('joins text parts with a newline, as vLLM does', () => {
    const messages = parseChatMessages([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
    ]);
    assert.deepEqual(messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'one\ntwo' },
    ]);
  });

  const bad: [string, unknown, string, number][] = [
    ['no messages', [], 'messages', 400],
    ['an image part', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }], 'messages[0].content[0].type', 400],
    ['a tool turn', [{ role: 'tool', content: 'r', tool_call_id: 'c' }], 'messages[0].role', 400],
    ['null content', [{ role: 'user', content: null }], 'messages[0].content', 400],
    ['a number', [{ role: 'user', content: 5 }], 'messages[0]', 400],
    ['a text part without text', [{ role: 'user', content: [{ type: 'text' }] }], 'messages[0].content[0].text', 400],
    ['assistant tool calls', [{ role: 'assistant', content: '', tool_calls: [{ id: 'x' }] }], 'messages[0].tool_calls', 400],
  ];
  for (const [name, messages, field, status] of bad) {
    it(`refuses ${name} naming ${field}`, () => {
      assertLlmDeployError(() => parseChatMessages(messages), { status, parts: [field] });
    });
  }
});

describe('vLLM tokenize and detokenize requests', () => {
  it('a prompt adds special tokens unless told not to', () => {
    assert.deepEqual(parseTokenizeRequest({ prompt: 'x' }), {
      kind: 'prompt',
      prompt: 'x',
      addSpecialTokens: true,
      returnTokenStrs: false,
    });
    assert.equal(parseTokenizeRequest({ prompt: 'x', add_special_tokens: false }).kind, 'prompt');
  });

  it('messages make a chat request with the generation prompt on by default', () => {
    const request = parseTokenizeRequest({ model: 'm', messages: user });
    assert.deepEqual(request, { kind: 'chat', model: 'm', messages: user, addGenerationPrompt: true, returnTokenStrs: false });
  });

  it('refuses what it cannot do and unknown fields', () => {
    assertLlmDeployError(() => parseTokenizeRequest({ messages: user, chat_template: '{{x}}' }), { status: 400, parts: ['chat_template'] });
    assertLlmDeployError(() => parseTokenizeRequest({ prompt: 'x', nope: 1 }), { status: 400, parts: ['nope'] });
    assertLlmDeployError(() => parseDetokenizeRequest({ tokens: [1, -2] }), { status: 400, parts: ['tokens'] });
  });
});
