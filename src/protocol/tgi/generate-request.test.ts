import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLlmDeployError } from '../__fixtures__/assert-error.js';
import { parseTgiGenerateRequest } from './generate-request.js';
import { tgiFinishReason, tgiStreamEvent } from './generate-response.js';

test('a plain request is greedy; warpers switch sampling on, as in TGI', () => {
  const plain = parseTgiGenerateRequest({ inputs: 'Hello', parameters: { max_new_tokens: 20, details: true } });
  assert.deepEqual(plain.settings, { doSample: false, maxNewTokens: 20 });
  assert.equal(plain.details, true);
  assert.deepEqual(plain.stop, []);
  const warped = parseTgiGenerateRequest({ inputs: 'Hello', parameters: { top_k: 10, seed: 5, stop: ['\n'], best_of: null } });
  assert.deepEqual(warped.settings, { doSample: true, topK: 10, seed: 5 });
  assert.deepEqual(warped.stop, ['\n']);
  assert.equal(parseTgiGenerateRequest({ inputs: 'x', parameters: { temperature: 1 } }).settings.doSample, false);
  const best = parseTgiGenerateRequest({ inputs: 'x', parameters: { best_of: 2, do_sample: true } });
  assert.deepEqual([best.bestOf, best.settings.numReturnSequences], [2, 2]);
  assert.equal(parseTgiGenerateRequest({ inputs: 'x', parameters: { unknown_thing: 1 } }).inputs, 'x', 'unknown parameters are ignored');
  assert.equal(parseTgiGenerateRequest({ inputs: 'x', stream: true }).stream, true, 'the compat route reads stream from the body');
  assert.equal(parseTgiGenerateRequest({ inputs: 'x', stream: true }, { streaming: false }).stream, false, 'a route decides for itself');
  assert.equal(parseTgiGenerateRequest({ inputs: 'x' }).fieldName('maxNewTokens'), 'parameters.max_new_tokens');
});

test("TGI's validation messages, status 422", () => {
  const cases: [unknown, string, object?][] = [
    [{ inputs: '' }, '`inputs` cannot be empty'],
    [{ inputs: 'x', parameters: { temperature: -1 } }, '`temperature` must be positive, or 0 for greedy decoding'],
    [{ inputs: 'x', parameters: { top_p: 1 } }, '`top_p` must be > 0.0 and < 1.0'],
    [{ inputs: 'x', parameters: { top_k: 0 } }, '`top_k` must be strictly positive'],
    [{ inputs: 'x', parameters: { typical_p: 0 } }, '`typical_p` must be > 0.0 and < 1.0'],
    [{ inputs: 'x', parameters: { max_new_tokens: 0 } }, '`max_new_tokens` must be strictly positive'],
    [{ inputs: 'x', parameters: { repetition_penalty: -1 } }, '`repetition_penalty` must be strictly positive'],
    [{ inputs: 'x', parameters: { stop: ['a', 'b', 'c', 'd', 'e'] } }, '`stop` supports up to 4 stop sequences. Given: 5'],
    [
      { inputs: 'x', parameters: { truncate: 0 } },
      '`truncate` must be strictly positive and less than 512. Given: 0',
      { maxInputTokens: 512 },
    ],
    [{ inputs: 'x', parameters: { best_of: 3, do_sample: true } }, '`best_of` must be > 0 and <= 2. Given: 3'],
    [{ inputs: 'x', parameters: { best_of: 2 } }, 'you must use sampling when `best_of` is > 1'],
    [{ inputs: 'x', parameters: { best_of: 2, do_sample: true, seed: 1 } }, '`seed` must not be set when `best_of` > 1'],
    [{ inputs: 'x', parameters: { best_of: 2, do_sample: true } }, '`best_of` != 1 is not allowed for this endpoint', { streaming: true }],
    [
      { inputs: 'x', parameters: { decoder_input_details: true } },
      '`decoder_input_details` == true is not supported when streaming tokens',
      { streaming: true },
    ],
    [{ inputs: 'x', parameters: { temperature: 'hot' } }, 'parameters.temperature'],
    [{ parameters: {} }, 'inputs'],
  ];
  for (const [body, message, limits] of cases)
    assertLlmDeployError(() => parseTgiGenerateRequest(body, limits), {
      status: 422,
      code: 'PROTOCOL_PARAMETER_INVALID',
      parts: [message],
    });
});

test('stream events carry the text and details only at the end; finish reasons use TGI words', () => {
  const token = { id: 216, text: 'free', logprob: -0.25, special: false };
  assert.deepEqual(tgiStreamEvent(token, 0), { index: 0, token, generated_text: null, details: null });
  const details = { finish_reason: tgiFinishReason('eos'), generated_tokens: 1, seed: null, input_length: 3 };
  assert.deepEqual(tgiStreamEvent(token, 0, { generatedText: 'free', details }).details?.finish_reason, 'eos_token');
  assert.deepEqual(
    ['eos', 'length', 'stop'].map((reason) => tgiFinishReason(reason as 'eos')),
    ['eos_token', 'length', 'stop_sequence'],
  );
});
