import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeFamily } from './route-family.js';

describe('routeFamily', () => {
  it('classifies each protocol by path', () => {
    assert.equal(routeFamily('/v1/completions?x=1'), 'openai');
    assert.equal(routeFamily('/generate_stream'), 'tgi');
    assert.equal(routeFamily('/v2/models/fastertransformer/infer'), 'kserve');
    assert.equal(routeFamily('/infer?metrics=true'), 'vertex');
    assert.equal(routeFamily('/health'), 'own');
  });

  it("checks Vertex's predict route before the OpenAI /v1/ prefix", () => {
    const predict = '/v1/endpoints/1/deployedModels/2:predict';
    assert.equal(routeFamily(predict, predict), 'vertex');
  });
});
