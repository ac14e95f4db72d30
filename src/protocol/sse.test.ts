import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSse, formatSseComment, parseSse } from './sse.js';

test('events format as data lines and parse back', () => {
  assert.equal(formatSse({ index: 0, text: 'a' }), 'data: {"index":0,"text":"a"}\n\n');
  assert.equal(formatSse('[DONE]'), 'data: [DONE]\n\n');
  assert.equal(formatSse('two\nlines', { event: 'message', id: '7' }), 'event: message\nid: 7\ndata: two\ndata: lines\n\n');
  const stream = formatSse({ a: 1 }) + formatSseComment() + formatSse('two\nlines', { event: 'x', id: '2' }) + formatSse('[DONE]');
  assert.deepEqual(parseSse(stream), [{ data: '{"a":1}' }, { data: 'two\nlines', event: 'x', id: '2' }, { data: '[DONE]' }]);
});

test('the parser accepts data: without a space (TGI), CRLF lines and a missing final blank line', () => {
  assert.deepEqual(parseSse('data:{"index":0}\r\n\r\ndata:  two spaces\n\n:comment\ndata:last'), [
    { data: '{"index":0}' },
    { data: ' two spaces' },
    { data: 'last' },
  ]);
});
