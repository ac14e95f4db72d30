import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDate, heldOut, HELD_OUT_SEED, numberToWords, TASKS } from './tasks.js';
import { readTorchGreedyFixture } from './torch-fixture.js';

describe('demo model task generators', () => {
  test('number to words follows the documented contract', () => {
    assert.equal(numberToWords(0), 'zero');
    assert.equal(numberToWords(1205), 'one thousand two hundred five');
    assert.equal(numberToWords(40017), 'forty thousand seventeen');
    assert.equal(numberToWords(999999), 'nine hundred ninety-nine thousand nine hundred ninety-nine');
    assert.equal(numberToWords(100000), 'one hundred thousand');
    assert.equal(numberToWords(21), 'twenty-one');
    assert.equal(numberToWords(1000), 'one thousand');
  });

  test('the six date styles of the contract', () => {
    const styles = [0, 1, 2, 3, 4, 5].map((style) => formatDate(style, 2021, 3, 3));
    assert.deepEqual(styles, ['March 3rd, 2021', 'March 3, 2021', 'Mar 3, 2021', '3 March 2021', 'the 3rd of March, 2021', '3/3/2021']);
    assert.equal(formatDate(0, 1999, 12, 11), 'December 11th, 1999');
    assert.equal(formatDate(4, 1999, 1, 22), 'the 22nd of January, 1999');
  });

  test('the held-out set equals the one the Python generator wrote into the PyTorch fixture', async () => {
    const fixture = await readTorchGreedyFixture();
    assert.equal(fixture.seed, HELD_OUT_SEED);
    const ours = heldOut(HELD_OUT_SEED, fixture.per_task);
    assert.deepEqual(
      ours,
      fixture.items.map(({ task, input, target }) => ({ task, input, target })),
    );
  });

  test('every magnitude appears: each digit count 1..6 in both number tasks; every date style', () => {
    const examples = heldOut(HELD_OUT_SEED, 200);
    for (const task of TASKS.slice(0, 2)) {
      const lengths = new Set(
        examples
          .filter((example) => example.task === task)
          .map((example) => (task === 'number to words' ? example.input.split(': ')[1] : example.target).length),
      );
      assert.deepEqual([...lengths].sort(), ['1', '2', '3', '4', '5', '6'].map(Number));
    }
    const dates = examples.filter((example) => example.task === 'date').map((example) => example.input);
    assert.ok(
      dates.some((input) => / \d+(st|nd|rd|th), /.test(input)),
      'ordinal style',
    );
    assert.ok(
      dates.some((input) => /^date: the /.test(input)),
      '"the Nth of" style',
    );
    assert.ok(
      dates.some((input) => /^date: \d+\/\d+\/\d{4}$/.test(input)),
      'M/D/YYYY style',
    );
    assert.ok(
      dates.some((input) => /^date: [A-Z][a-z]{2} \d+, \d{4}$/.test(input)),
      'short month style',
    );
  });
});
