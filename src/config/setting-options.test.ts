import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { booleanOption, choiceOption, integerOption, textOption } from './setting-options.js';
import { INPUT_TRUNCATIONS, QUANTIZE_MODES } from './settings-table.js';

describe('option schemas from the settings table', () => {
  it('an integer option has the row range and default', () => {
    const schema = integerOption('MAX_QUEUE');
    assert.equal(schema.parse(undefined), 256);
    assert.equal(schema.parse(1_000_000), 1_000_000);
    assert.equal(schema.safeParse(0).success, false);
    assert.equal(schema.safeParse(1_000_001).success, false);
    assert.equal(schema.safeParse(1.5).success, false);
  });

  it('choice, boolean and text options have the row default', () => {
    assert.equal(choiceOption('INPUT_TRUNCATION', INPUT_TRUNCATIONS).parse(undefined), 'reject');
    assert.equal(choiceOption('INPUT_TRUNCATION', INPUT_TRUNCATIONS).safeParse('cut').success, false);
    assert.equal(booleanOption('OPENAI_ANY_MODEL').parse(undefined), false);
    assert.equal(textOption('HOST').parse(undefined), '0.0.0.0');
  });

  it('a row that does not fit is a programming error at once, not a silent default', () => {
    assert.throws(() => integerOption('NO_SUCH_SETTING'), /assert/);
    assert.throws(() => integerOption('HOST'), /assert/);
    assert.throws(() => integerOption('AIP_HTTP_PORT'), /no default/);
    assert.throws(() => choiceOption('INPUT_TRUNCATION', QUANTIZE_MODES), /assert/);
    assert.throws(() => booleanOption('MAX_QUEUE'), /assert/);
  });
});
