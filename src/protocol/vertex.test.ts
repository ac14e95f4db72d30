import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLlmDeployError } from './__fixtures__/assert-error.js';
import { parseVertexPredictRequest, vertexPredictResponse } from './vertex.js';

test('instances and HF settings under parameters or config', () => {
  const body = {
    instances: ['a', { inputs: 'b' }, { prompt: 'c' }],
    parameters: { max_new_tokens: 32, num_beams: 4, early_stopping: 'never', seed: 3 },
  };
  const settings = { maxNewTokens: 32, numBeams: 4, earlyStopping: 'never', seed: 3 };
  const parsed = parseVertexPredictRequest(body);
  assert.deepEqual(parsed.settings, settings);
  assert.deepEqual(
    parsed.instances.map((instance) => [instance.prompt, instance.options, instance.fieldName('maxNewTokens')]),
    ['a', 'b', 'c'].map((prompt) => [prompt, settings, 'parameters.max_new_tokens']),
  );
  const config = parseVertexPredictRequest({ instances: ['a'], config: { max_length: 9 } });
  assert.equal(config.instances[0]?.fieldName('maxLength'), 'config.max_length', 'refusals name the field the caller used');
  const legacy = parseVertexPredictRequest({ instances: ['a'], config: { do_sample: true, top_p: 0.9, temperature: 0.7 } });
  assert.deepEqual(legacy.settings, { doSample: true, topP: 0.9, temperature: 0.7 });
  assert.deepEqual(parseVertexPredictRequest({ instances: ['a'] }).settings, {});
});

test("Vertex's envelope field labels is tolerated; TGI-on-Vertex instances carry their own parameters", () => {
  const request = parseVertexPredictRequest({
    instances: [{ inputs: 'a', parameters: { max_new_tokens: 5, temperature: 0.5, do_sample: true } }, 'b'],
    parameters: { max_new_tokens: 9, top_k: 3 },
    labels: { team: 'nlp' },
  });
  assert.deepEqual(
    request.instances.map((instance) => instance.prompt),
    ['a', 'b'],
  );
  assert.deepEqual(
    request.instances.map((instance) => instance.options),
    [
      { maxNewTokens: 5, topK: 3, temperature: 0.5, doSample: true },
      { maxNewTokens: 9, topK: 3 },
    ],
  );
  assert.deepEqual(
    request.instances.map((instance) => instance.fieldName('topK')),
    ['instances[0].parameters.top_k', 'parameters.top_k'],
  );
  assertLlmDeployError(() => parseVertexPredictRequest({ instances: [{ inputs: 'a', parameters: { stop: ['x'] } }] }), {
    status: 400,
    parts: ['instances[0].parameters.stop', 'max_new_tokens'],
  });
  assertLlmDeployError(() => parseVertexPredictRequest({ instances: ['a'], labels: { team: 5 } }), { status: 400, parts: ['labels.team'] });
});

test('both parameters and config is a 400', () => {
  assertLlmDeployError(() => parseVertexPredictRequest({ instances: ['a'], parameters: {}, config: {} }), {
    status: 400,
    code: 'PROTOCOL_PARAMETER_INVALID',
    parts: ['parameters', 'config'],
  });
});

test('unknown settings and out-of-range values are 400s naming the field and value', () => {
  const cases: [unknown, string[]][] = [
    [{ instances: ['a'], parameters: { max_tokens: 5 } }, ['parameters.max_tokens', 'unknown field']],
    [{ instances: ['a'], parameters: { temperature: -1 } }, ['parameters.temperature', 'given -1']],
    [{ instances: ['a'], parameters: { top_p: 1.5 } }, ['parameters.top_p', '1.5']],
    [{ instances: ['a'], config: { max_new_tokens: 2.5 } }, ['config.max_new_tokens', '2.5']],
    [{ instances: ['a'], parameters: { num_beams: 0 } }, ['parameters.num_beams', 'given 0']],
    [{ instances: ['a'], parameters: { do_sample: 'yes' } }, ['parameters.do_sample', '"yes"']],
    [{ instances: ['a'], parameters: { seed: -1 } }, ['parameters.seed']],
    [{ instances: [] }, ['instances', 'at least one instance']],
    [{ instances: [''] }, ['instances[0]']],
    [{ instances: [{ text: 'a' }] }, ['instances[0]', '{"inputs": "..."}']],
    [{ instances: 'a' }, ['instances', '"a"']],
    [{ instance: ['a'] }, ['instance']],
  ];
  for (const [body, parts] of cases) assertLlmDeployError(() => parseVertexPredictRequest(body), { status: 400, parts });
});

test('the answer lists predictions and, when asked, metrics per instance in ms with 5 decimals', () => {
  assert.deepEqual(vertexPredictResponse(['x']), { predictions: ['x'] });
  const timings = {
    preprocessMs: 0.25,
    predictionMs: 12,
    postprocessMs: 1 / 3,
    queueMs: 0.1,
    firstTokenMs: 2,
    inputTokens: 3,
    generatedTokens: 4,
  };
  assert.deepEqual(vertexPredictResponse(['x', ['y', 'z']], [timings, timings]).metrics?.[1], {
    preprocess: '0.25000',
    prediction: '12.00000',
    postprocess: '0.33333',
    unit: 'ms',
    queue: '0.10000',
    first_token: '2.00000',
    input_tokens: 3,
    generated_tokens: 4,
  });
});

test('return_full_text: the instance its own over the request, absent when nobody set it', () => {
  const parsed = parseVertexPredictRequest({
    instances: ['a', { inputs: 'b', parameters: { return_full_text: true } }, { inputs: 'c', parameters: { max_new_tokens: 2 } }],
    config: { return_full_text: false },
  });
  assert.deepEqual(
    parsed.instances.map((instance) => instance.returnFullText),
    [false, true, false],
  );
  assert.deepEqual(parsed.settings, {});
  assert.equal(parseVertexPredictRequest({ instances: ['a'] }).instances[0]?.returnFullText, undefined);
});
