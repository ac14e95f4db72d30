import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PieceTrie } from './piece-trie.js';

describe('PieceTrie', () => {
  it('finds every piece along a path, first entry winning for duplicates', () => {
    const utf8 = new TextEncoder();
    const trie = new PieceTrie([
      [utf8.encode('a'), 5],
      [utf8.encode('ab'), 6],
      [utf8.encode('a'), 9],
      [utf8.encode('\u2581b'), 7],
    ]);
    const walk = (text: string): number[] => {
      const found: number[] = [];
      let node = 0;
      for (const byte of utf8.encode(text)) {
        node = trie.child(node, byte);
        if (node < 0) break;
        if (trie.valueAt(node) >= 0) found.push(trie.valueAt(node));
      }
      return found;
    };
    assert.deepEqual(walk('abc'), [5, 6]);
    assert.deepEqual(walk('\u2581b'), [7]);
    assert.deepEqual(walk('b'), []);
  });
});
