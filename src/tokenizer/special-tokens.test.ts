import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpecialTokenSplitter } from './special-tokens.js';

describe('SpecialTokenSplitter', () => {
  const splitter = new SpecialTokenSplitter([
    { content: '</s>', id: 1, stripsSpaces: false },
    { content: '<extra_id_1>', id: 2098, stripsSpaces: true },
    { content: '<extra_id_10>', id: 2089, stripsSpaces: true },
  ]);
  const show = (text: string): string[] => splitter.split(text).map((part) => (part.special ? `[${part.special.id}]` : part.text));

  it('cuts special tokens out, leftmost first, keeping the text between them', () => {
    assert.deepEqual(show('a</s>b <extra_id_10><extra_id_1>'), ['a', '[1]', 'b ', '[2089]', '[2098]']);
    assert.deepEqual(show('<extra_id_1'), ['<extra_id_1']);
    assert.deepEqual(show('<</s>>'), ['<', '[1]', '>']);
    assert.deepEqual(show(''), []);
  });
});
