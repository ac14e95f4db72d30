import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { HF_GENERATION_DEFAULTS } from './__fixtures__/hf-defaults.js';
import { resolveGenerationParams, rowsFor } from './params.js';

const limits = { maxNewTokensCap: 512 };

function rejects(field: string, overrides: Parameters<typeof resolveGenerationParams>[1]): void {
  assert.throws(
    () => resolveGenerationParams(HF_GENERATION_DEFAULTS, overrides, limits),
    (error: unknown) =>
      LlmDeployError.isInstance(error) && error.code === 'ENGINE_PARAMS_INVALID' && error.httpStatus === 400 && error.field === field,
  );
}

test('overrides win over defaults; maxLength counts the decoder start token; maxNewTokens wins over it', () => {
  assert.equal(resolveGenerationParams(HF_GENERATION_DEFAULTS, { numBeams: 3 }, limits).numBeams, 3);
  assert.equal(resolveGenerationParams(HF_GENERATION_DEFAULTS, { maxLength: 20 }, limits).maxNewTokens, 19);
  assert.equal(resolveGenerationParams(HF_GENERATION_DEFAULTS, { maxLength: 20, maxNewTokens: 5 }, limits).maxNewTokens, 5);
});

test('inconsistent or out-of-range settings are rejected naming the field', () => {
  rejects('numReturnSequences', { numBeams: 2, numReturnSequences: 3 });
  rejects('numReturnSequences', { numReturnSequences: 2 });
  rejects('maxNewTokens', { maxNewTokens: 0 });
  rejects('maxNewTokens', { maxNewTokens: 513 });
  rejects('temperature', { doSample: true, temperature: 1e-5 });
  rejects('topP', { doSample: true, topP: 1.5 });
  rejects('earlyStopping', { earlyStopping: 'sometimes' as unknown as boolean });
  assert.equal(resolveGenerationParams(HF_GENERATION_DEFAULTS, { doSample: true, numReturnSequences: 3 }, limits).numReturnSequences, 3);
  assert.equal(
    resolveGenerationParams(HF_GENERATION_DEFAULTS, { temperature: 1e-5 }, limits).temperature,
    1e-5,
    'warpers are ignored without sampling',
  );
});

test('temperature 0 is greedy decoding, even with doSample or a model that samples by default', () => {
  assert.equal(resolveGenerationParams(HF_GENERATION_DEFAULTS, { doSample: true, temperature: 0 }, limits).doSample, false);
  const sampler = { ...HF_GENERATION_DEFAULTS, doSample: true, temperature: 0.7 };
  assert.equal(resolveGenerationParams(sampler, { temperature: 0 }, limits).doSample, false);
  assert.equal(resolveGenerationParams(sampler, {}, limits).doSample, true);
});

test('the cap is checked once, on maxNewTokens or on maxLength, naming the caller field', () => {
  const fieldName = (option: string): string => `parameters.${option}`;
  assert.equal(resolveGenerationParams(HF_GENERATION_DEFAULTS, { maxLength: 513 }, limits).maxNewTokens, 512);
  const long = { ...HF_GENERATION_DEFAULTS, maxNewTokens: 1024 };
  assert.equal(resolveGenerationParams(long, {}, limits).maxNewTokens, 512, 'a model default past the cap is held to it');
  for (const options of [{ maxNewTokens: 513 }, { maxLength: 514 }]) {
    assert.throws(
      () => resolveGenerationParams(HF_GENERATION_DEFAULTS, options, { ...limits, fieldName }),
      (error: unknown) =>
        LlmDeployError.isInstance(error) &&
        error.field === `parameters.${Object.keys(options)[0]}` &&
        error.expected === 'at most 512 new tokens',
    );
  }
});

test('rowsFor counts beams and sampled sequences', () => {
  assert.equal(rowsFor(HF_GENERATION_DEFAULTS), 1);
  assert.equal(rowsFor({ ...HF_GENERATION_DEFAULTS, numBeams: 4, numReturnSequences: 2 }), 4);
  assert.equal(rowsFor({ ...HF_GENERATION_DEFAULTS, doSample: true, numReturnSequences: 3 }), 3);
  assert.equal(rowsFor({ ...HF_GENERATION_DEFAULTS, doSample: true, numBeams: 2, numReturnSequences: 3 }), 6);
});
