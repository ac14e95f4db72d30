import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { familyForModelType } from './registry.js';
import { T5_FAMILY } from './t5.js';

describe('the T5 family', () => {
  it('serves t5, mt5 and umt5 checkpoints', () => {
    for (const modelType of ['t5', 'mt5', 'umt5']) assert.equal(familyForModelType(modelType), T5_FAMILY, modelType);
  });

  it('an unknown model_type is refused naming every supported one', () => {
    assert.throws(
      () => familyForModelType('longt5'),
      (error: unknown) => {
        assert.ok(LlmDeployError.isInstance(error));
        for (const modelType of ['t5', 'mt5', 'umt5']) assert.match(error.expected ?? '', new RegExp(`\\b${modelType}\\b`));
        return true;
      },
    );
  });
});
