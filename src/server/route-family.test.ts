import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeFamily } from './route-family.js';

describe('routeFamily', () => {
  it('classifies each protocol by path', () => {
    assert.equal(routeFamily('/v1/completions?x=1'), 'openai');
    assert.equal(routeFamily('/tokenize'), 'openai');
    assert.equal(routeFamily('/detokenize'), 'openai');
    assert.equal(routeFamily('/generate_stream'), 'tgi');
    assert.equal(routeFamily('/v2/models/fastertransformer/infer'), 'kserve');
    assert.equal(routeFamily('/infer?metrics=true'), 'vertex');
    assert.equal(routeFamily('/health'), 'own');
  });

  it("checks Vertex's predict and health routes before the OpenAI /v1/ prefix", () => {
    const predict = '/v1/endpoints/1/deployedModels/2:predict';
    const health = '/v1/endpoints/1/deployedModels/2';
    assert.equal(routeFamily(predict, { predictRoute: predict, healthRoute: health }), 'vertex');
    assert.equal(routeFamily(health, { predictRoute: predict, healthRoute: health }), 'vertex');
    assert.equal(routeFamily('/v1/models', { predictRoute: predict, healthRoute: health }), 'openai');
  });

  it("classifies POST / as TGI's compat route", () => {
    assert.equal(routeFamily('/'), 'tgi');
  });
});
