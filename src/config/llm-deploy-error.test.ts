import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorFactory, LlmDeployError } from './llm-deploy-error.js';

describe('errorFactory', () => {
  it('builds LlmDeployErrors with the code, the facts as fields and a message made from them', () => {
    const areaError = errorFactory<'AREA_BROKEN'>();
    const error = areaError('AREA_BROKEN', 'it broke', { file: 'f.json', line: 3, field: 'x', given: '1', expected: '2', httpStatus: 422 });
    assert.ok(LlmDeployError.isInstance(error));
    assert.equal(error.code, 'AREA_BROKEN');
    assert.equal(error.httpStatus, 422);
    assert.equal(error.message, 'f.json:3: x: it broke (given 1; expected 2)');
    assert.equal(areaError('AREA_BROKEN', 'no status').httpStatus, 500);
  });

  it('applies the default status unless the facts give one, and shapes the facts first', () => {
    const callerError = errorFactory<'AREA_INPUT'>({
      httpStatus: 400,
      shapeFacts: (facts) => (facts.given === undefined ? facts : { ...facts, given: facts.given.slice(0, 3) }),
    });
    assert.equal(callerError('AREA_INPUT', 'bad').httpStatus, 400);
    assert.equal(callerError('AREA_INPUT', 'bad', { httpStatus: 409 }).httpStatus, 409);
    assert.equal(callerError('AREA_INPUT', 'bad', { given: 'abcdef' }).given, 'abc');
  });
});
