import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineErrorMessage, jsonOrUndefined, parseChoices } from './engine-reply.js';

describe('engine replies', () => {
  it('reads both error shapes: vLLM {"error": {...}} and the older {"object": "error", ...} TensorRT-LLM keeps', () => {
    assert.equal(engineErrorMessage({ error: { message: 'boom', type: 'BadRequestError', param: null, code: 400 } }), 'boom');
    assert.equal(engineErrorMessage({ object: 'error', message: 'bang', type: 'BadRequestError', param: null, code: 400 }), 'bang');
    assert.equal(engineErrorMessage({ choices: [] }), undefined);
    assert.equal(engineErrorMessage('error'), undefined);
  });

  it('reads choices with token ids, finish and stop reasons, logprobs; refuses what is not a completion', () => {
    const choices = parseChoices({
      id: 'cmpl-1',
      choices: [
        { index: 0, text: 'x', token_ids: [4, 1], finish_reason: 'stop', stop_reason: null, logprobs: { token_logprobs: [-0.1, null] } },
      ],
    });
    assert.deepEqual(choices?.[0]?.token_ids, [4, 1]);
    assert.deepEqual(choices?.[0]?.logprobs?.token_logprobs, [-0.1, null]);
    assert.equal(parseChoices({ choices: [{ index: -1 }] }), undefined);
    assert.equal(parseChoices({ choices: [{ index: 0, token_ids: ['a'] }] }), undefined);
    assert.equal(parseChoices(undefined), undefined);
  });

  it('JSON or nothing', () => {
    assert.deepEqual(jsonOrUndefined('{"a":1}'), { a: 1 });
    assert.equal(jsonOrUndefined('<html>'), undefined);
  });
});
