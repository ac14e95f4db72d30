import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLlmDeployError } from '../__fixtures__/assert-error.js';
import { parseOpenAiCompletionRequest } from './completion-request.js';
import { OPENAI_STREAM_DONE, openAiCompletion, openAiFinishReason } from './completion-response.js';

test("OpenAI's defaults: 16 tokens, temperature 1 sampling, n 1", () => {
  const request = parseOpenAiCompletionRequest({ model: 't5', prompt: 'Hello' });
  assert.deepEqual(request.prompts, ['Hello']);
  assert.deepEqual(request.settings, { maxNewTokens: 16, doSample: true, temperature: 1, topP: 1, topK: 0, numReturnSequences: 1 });
  assert.deepEqual([request.n, request.stream, request.echo, request.logprobs, request.stop], [1, false, false, null, []]);
});

test('temperature 0 is greedy; lists of prompts, stop strings and stream options pass through', () => {
  const request = parseOpenAiCompletionRequest({
    prompt: ['a', 'b'],
    temperature: 0,
    max_tokens: 5,
    stop: '\n',
    stream: true,
    stream_options: { include_usage: true },
    seed: 3,
  });
  assert.deepEqual(request.settings, { maxNewTokens: 5, doSample: false, numReturnSequences: 1, seed: 3 });
  assert.deepEqual([request.prompts, request.stop, request.stream, request.includeUsage], [['a', 'b'], ['\n'], true, true]);
});

test('bad values and features we lack are 400s naming the parameter', () => {
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', temperature: 3 }), {
    status: 400,
    parts: ['temperature', 'given 3'],
  });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', max_tokens: 0 }), { status: 400, parts: ['max_tokens'] });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', stop: ['1', '2', '3', '4', '5'] }), {
    status: 400,
    parts: ['stop'],
  });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', n: 2, temperature: 0 }), {
    status: 400,
    parts: ['n', 'temperature is 0'],
  });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', max_token: 5 }), {
    status: 400,
    parts: ['max_token', 'max_tokens'],
  });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: [] }), { status: 400, parts: ['prompt'] });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: Array(33).fill('x') }), {
    status: 400,
    parts: ['batch size exceeded'],
  });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', suffix: 'y' }), {
    status: 400,
    code: 'PROTOCOL_UNSUPPORTED',
    parts: ['suffix'],
  });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', logit_bias: { '5': 1 } }), { status: 400, parts: ['logit_bias'] });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: [1, -2, 3] }), { status: 400, parts: ['prompt'] });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: [[1], []] }), { status: 400, parts: ['prompt'] });
  assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', best_of: 3 }), { status: 400, parts: ['best_of'] });
});

test('token-id prompts: one list of ids is one prompt, a list of id lists one prompt each', () => {
  assert.deepEqual(parseOpenAiCompletionRequest({ prompt: [1, 2, 3] }).prompts, [[1, 2, 3]]);
  const many = parseOpenAiCompletionRequest({ prompt: [[1, 2], [3]] });
  assert.deepEqual(many.prompts, [[1, 2], [3]]);
  assert.deepEqual(many.promptFields, ['prompt[0]', 'prompt[1]']);
});

test("vLLM's extra sampling fields: top_k, min_tokens and repetition_penalty are honoured, their defaults accepted", () => {
  const request = parseOpenAiCompletionRequest({
    prompt: 'x',
    temperature: 0.7,
    top_k: 40,
    repetition_penalty: 1.2,
    min_tokens: 2,
    min_p: 0,
    length_penalty: 1,
    ignore_eos: false,
    stop_token_ids: [],
    skip_special_tokens: true,
    include_stop_str_in_output: false,
    spaces_between_special_tokens: true,
    use_beam_search: false,
  });
  assert.deepEqual(request.settings, {
    maxNewTokens: 16,
    minNewTokens: 2,
    doSample: true,
    temperature: 0.7,
    topP: 1,
    topK: 40,
    numReturnSequences: 1,
    repetitionPenalty: 1.2,
  });
  // vLLM's "all tokens" is -1
  assert.equal(parseOpenAiCompletionRequest({ prompt: 'x', top_k: -1 }).settings.topK, 0);
});

test('vLLM fields the engine cannot honour are 400s naming the field, never ignored', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ min_p: 0.1 }, 'min_p'],
    [{ length_penalty: 2 }, 'length_penalty'],
    [{ ignore_eos: true }, 'ignore_eos'],
    [{ stop_token_ids: [5] }, 'stop_token_ids'],
    [{ skip_special_tokens: false }, 'skip_special_tokens'],
    [{ include_stop_str_in_output: true }, 'include_stop_str_in_output'],
    [{ use_beam_search: true }, 'use_beam_search'],
    [{ top_k: -2 }, 'top_k'],
  ];
  for (const [fields, field] of cases) {
    assertLlmDeployError(() => parseOpenAiCompletionRequest({ prompt: 'x', ...fields }), { status: 400, parts: [field] });
  }
});

test('answers and stream chunks have the completions shape', () => {
  const answer = openAiCompletion({
    id: 'cmpl-1',
    model: 't5',
    createdS: 1700000000,
    choices: [{ index: 0, text: 'Hallo', logprobs: null, finish_reason: openAiFinishReason('eos') }],
    promptTokens: 5,
    completionTokens: 2,
  });
  assert.deepEqual(answer, {
    id: 'cmpl-1',
    object: 'text_completion',
    created: 1700000000,
    model: 't5',
    choices: [{ index: 0, text: 'Hallo', logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  });
  const chunk = openAiCompletion({ id: 'cmpl-1', model: 't5', choices: [{ index: 0, text: 'Ha', logprobs: null, finish_reason: null }] });
  assert.equal('usage' in chunk, false);
  assert.equal(openAiFinishReason('length'), 'length');
  assert.equal(OPENAI_STREAM_DONE, '[DONE]');
});
