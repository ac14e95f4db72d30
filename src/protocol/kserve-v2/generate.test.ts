import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLlmDeployError } from '../__fixtures__/assert-error.js';
import { generateResponse, parseGenerateRequest } from './generate.js';

test('parameters inside "parameters" or at the top level map onto generation options', () => {
  const parsed = parseGenerateRequest({
    id: 'a',
    text_input: 'hi',
    max_tokens: 5,
    parameters: { temperature: 0.7, top_k: 3, top_p: 0.9, random_seed: 4, beam_width: 1, min_tokens: 1, repetition_penalty: 1.1 },
  });
  assert.equal(parsed.id, 'a');
  assert.equal(parsed.textInput, 'hi');
  assert.deepEqual(parsed.settings, {
    maxNewTokens: 5,
    minNewTokens: 1,
    doSample: true,
    temperature: 0.7,
    topK: 3,
    topP: 0.9,
    repetitionPenalty: 1.1,
    numBeams: 1,
    seed: 4,
  });
  assert.equal(parsed.fieldName('maxNewTokens'), 'max_tokens');
  assert.equal(parsed.fieldName('temperature'), 'parameters.temperature');
  assert.equal(parsed.fieldName('seed'), 'parameters.random_seed');
  assert.equal(parsed.stream, undefined);
});

test('temperature 0 is greedy; no temperature keeps the model defaults', () => {
  assert.deepEqual(parseGenerateRequest({ text_input: 'x', parameters: { temperature: 0 } }).settings, { doSample: false });
  assert.deepEqual(parseGenerateRequest({ text_input: 'x' }).settings, {});
});

test('stream and exclude_input_in_output are read and located', () => {
  const parsed = parseGenerateRequest({ text_input: 'x', stream: true, parameters: { exclude_input_in_output: false } });
  assert.equal(parsed.stream, true);
  assert.equal(parsed.excludeInputInOutput, false);
  assert.equal(parsed.parameterField('stream'), 'stream');
  assert.equal(parsed.parameterField('exclude_input_in_output'), 'parameters.exclude_input_in_output');
});

test('unknown, mistyped, duplicated and unsupported parameters are 400s naming the field', () => {
  const cases: [unknown, string[]][] = [
    [{ text_input: 'x', parameters: { n: 2 } }, ['parameters.n', 'max_tokens']],
    [{ text_input: 'x', top_k: -1 }, ['top_k']],
    [{ text_input: 'x', seed: 1, random_seed: 2 }, ['random_seed']],
    [{ text_input: 'x', max_tokens: 1, parameters: { max_tokens: 1 } }, ['max_tokens', 'once']],
    [{ text_input: 'x', bad_words: 'a' }, ['bad_words']],
    [{ text_input: 'x', parameters: { stream: 'yes' } }, ['parameters.stream']],
    [{ text_input: 'x', parameters: { nested: { a: 1 } } }, ['parameters.nested']],
    [{ text_input: 3 }, ['text_input']],
    [[], ['generate request']],
  ];
  for (const [body, parts] of cases) assertLlmDeployError(() => parseGenerateRequest(body), { status: 400, parts });
});

test('the answer echoes the id only when the request had one', () => {
  assert.deepEqual(generateResponse({ modelName: 'm', modelVersion: '1', textOutput: 't' }), {
    model_name: 'm',
    model_version: '1',
    text_output: 't',
  });
  assert.equal(generateResponse({ id: '9', modelName: 'm', modelVersion: '1', textOutput: 't' }).id, '9');
});
