// Triton's generate extension over a real socket, with the native backend on the tiny T5 fixture:
// `text_output` must equal what Hugging Face generated (expected.json); errors in Triton's shape.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LlmDeployServer } from '../../src/server/index.js';
import { startNativeServer } from './support/native-server.js';
import { sseEvents } from './support/sse-events.js';

const MODEL_DIR = fileURLToPath(new URL('../fixtures/t5-tiny-relu', import.meta.url));

interface ExpectedCase {
  text: string;
  greedy: { decoded_skip_special: string };
  beam: { decoded_skip_special: string };
}
const expected = JSON.parse(readFileSync(`${MODEL_DIR}/expected.json`, 'utf8')) as { cases: ExpectedCase[] };
const [first, second] = expected.cases;
if (first === undefined || second === undefined) throw new Error('fixture has fewer than two cases');

describe('KServe generate extension (t5-tiny-relu, native backend)', () => {
  let server: LlmDeployServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startNativeServer(MODEL_DIR));
  });
  after(() => server.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('generate answers Hugging Face greedy text, with the id, model name and version', async () => {
    const response = await post('/v2/models/fastertransformer/generate', {
      id: '42',
      text_input: first.text,
      parameters: { max_tokens: 20, temperature: 0 },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), {
      id: '42',
      model_name: 'fastertransformer',
      model_version: '1',
      text_output: first.greedy.decoded_skip_special,
    });
  });

  it("takes parameters as top-level fields and a body sent as curl -d sends it (form content type), as Triton's examples do", async () => {
    const body = JSON.stringify({ text_input: second.text, max_tokens: 20, bad_words: '', stop_words: '' });
    const response = await post('/v2/models/fastertransformer/versions/1/generate', body, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { text_output: string }).text_output, second.greedy.decoded_skip_special);
  });

  it('beam_width 4 answers Hugging Face beam text', async () => {
    const response = await post('/v2/models/fastertransformer/generate', {
      text_input: first.text,
      parameters: { max_tokens: 20, beam_width: 4 },
    });
    assert.equal(((await response.json()) as { text_output: string }).text_output, first.beam.decoded_skip_special);
  });

  it('generate_stream sends SSE pieces that join to the greedy text', async () => {
    const response = await post('/v2/models/fastertransformer/generate_stream', { text_input: first.text, parameters: { max_tokens: 20 } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sseEvents(await response.text()) as { model_name: string; text_output: string }[];
    assert.ok(events.length > 1, 'one event per piece of text');
    assert.ok(events.every((event) => event.model_name === 'fastertransformer'));
    assert.equal(events.map((event) => event.text_output).join(''), first.greedy.decoded_skip_special);
  });

  it('generate_stream with "stream": false or beam search sends the whole text in one event', async () => {
    for (const parameters of [
      { max_tokens: 20, stream: false },
      { max_tokens: 20, beam_width: 4 },
    ]) {
      const response = await post('/v2/models/fastertransformer/generate_stream', { text_input: first.text, parameters });
      const events = sseEvents(await response.text()) as { text_output: string }[];
      const want = parameters.beam_width === undefined ? first.greedy : first.beam;
      assert.deepEqual(
        events.map((event) => event.text_output),
        [want.decoded_skip_special],
      );
    }
  });

  const refusals: [string, unknown, number, RegExp][] = [
    ['/v2/models/fastertransformer/generate', { parameters: { max_tokens: 2 } }, 400, /text_input/],
    ['/v2/models/fastertransformer/generate', { text_input: 'a', parameters: { max_tokens: 0 } }, 400, /parameters\.max_tokens/],
    ['/v2/models/fastertransformer/generate', { text_input: 'a', parameters: { best_of: 2 } }, 400, /parameters\.best_of.*max_tokens/],
    ['/v2/models/fastertransformer/generate', { text_input: 'a', max_tokens: 2, parameters: { max_tokens: 3 } }, 400, /once/],
    ['/v2/models/fastertransformer/generate', { text_input: 'a', stop_words: 'x' }, 400, /stop_words/],
    ['/v2/models/fastertransformer/generate', { text_input: 'a', parameters: { stream: true } }, 400, /generate_stream/],
    ['/v2/models/fastertransformer/generate', { text_input: 'a', parameters: { temperature: 'hot' } }, 400, /temperature/],
    ['/v2/models/fastertransformer/generate', { text_input: '' }, 400, /text_input/],
    ['/v2/models/fastertransformer/generate', '{"text_input": ', 400, /JSON/],
    ['/v2/models/other/generate', { text_input: 'a' }, 404, /other/],
    ['/v2/models/fastertransformer/versions/2/generate', { text_input: 'a' }, 404, /version/],
    ['/v2/models/fastertransformer/generate_stream', { text_input: 'a', parameters: { top_p: 0 } }, 400, /top_p/],
  ];
  for (const [path, body, status, message] of refusals) {
    it(`${status} {"error"} for ${path} ${typeof body === 'string' ? body : JSON.stringify(body)}`, async () => {
      const response = await post(path, body);
      assert.equal(response.status, status);
      const answer = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(answer), ['error']);
      assert.match(String(answer.error), message);
    });
  }

  it('the FasterTransformer infer contract still answers for an encoder-decoder model', async () => {
    const response = await post('/v2/models/fastertransformer/infer', {
      inputs: [
        { name: 'input_ids', shape: [1, 2], datatype: 'UINT32', data: [363, 1] },
        { name: 'sequence_length', shape: [1, 1], datatype: 'UINT32', data: [2] },
        { name: 'max_output_len', shape: [1, 1], datatype: 'UINT32', data: [4] },
      ],
    });
    assert.equal(response.status, 200);
  });
});
