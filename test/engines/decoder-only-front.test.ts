// Our server in front of vLLM with a decoder-only model: the llama-gqa fixture's tokenizer.json as the front's
// tokenizer, and the vLLM double replaying Hugging Face's greedy generate() for its prompts
// (__fixtures__/llama-gqa/expected-greedy.json, cut from shared/fixtures/causal/llama-gqa/expected.json). The
// engine answers only the new tokens; each route then says what its protocol says for a decoder-only model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createOpenAiEngineBackend, paramsFromGenerationConfig } from '../../src/engine/index.js';
import { defaultGenerationConfig } from '../../src/model/index.js';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { sseEvents } from '../server/support/sse-events.js';
import { FakeOpenAiEngine } from './fake-openai-engine.js';

const DIR = new URL('./__fixtures__/llama-gqa/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(`${DIR}expected-greedy.json`, 'utf8')) as {
  cases: { text: string; input_ids: number[]; new_tokens: number[]; ended_with_eos: boolean; decoded_new_skip_special: string }[];
};
const [longCase, shortCase] = expected.cases;

describe('serve in front of vllm with a decoder-only model (llama-gqa tokenizer, HF greedy replayed)', () => {
  const engine = new FakeOpenAiEngine({
    kind: 'vllm',
    servedModel: 'llama',
    maxModelLen: 128,
    replies: new Map(expected.cases.map((item) => [item.input_ids.join(','), item.new_tokens])),
    eosTokenId: 2,
  });
  let front: LlmDeployServer;
  let base = '';
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  before(async () => {
    await engine.start();
    const defaults = paramsFromGenerationConfig(defaultGenerationConfig({ decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 }));
    const backend = createOpenAiEngineBackend({
      kind: 'vllm',
      url: engine.url,
      architecture: 'decoder-only',
      modelName: 'llama',
      defaults,
    });
    front = createServer({ host: '127.0.0.1', port: 0, backend, tokenizer: loadTokenizer(DIR), logger: false });
    await front.modelLoaded;
    base = await front.listen();
  });
  after(async () => {
    await front.close();
    await engine.stop();
  });

  it('sends the prompt ids Hugging Face tokenized (BOS first) and answers its continuation on /generate', async () => {
    const response = await post('/generate', { inputs: longCase!.text, parameters: { max_new_tokens: 20 } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { generated_text: string }).generated_text, longCase!.decoded_new_skip_special);
    assert.deepEqual(engine.requests.at(-1)!.body['prompt'], longCase!.input_ids);
  });

  it('/v1/completions: the continuation, finish_reason length at max_tokens and stop at EOS; streamed the same', async () => {
    for (const item of [longCase!, shortCase!]) {
      const response = await post('/v1/completions', { model: 'llama', prompt: item.text, max_tokens: 20 });
      const choice = ((await response.json()) as { choices: { text: string; finish_reason: string }[] }).choices[0];
      assert.deepEqual([choice?.text, choice?.finish_reason], [item.decoded_new_skip_special, item.ended_with_eos ? 'stop' : 'length']);
    }
    const streamed = await post('/v1/completions', { model: 'llama', prompt: longCase!.text, max_tokens: 20, stream: true });
    const events = sseEvents(await streamed.text()).slice(0, -1) as { choices: { text: string }[] }[];
    assert.equal(events.map((event) => event.choices[0]?.text ?? '').join(''), longCase!.decoded_new_skip_special);
  });

  it('/infer with return_full_text false answers the continuation only', async () => {
    const response = await post('/infer', { instances: [shortCase!.text], parameters: { return_full_text: false, max_new_tokens: 20 } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { predictions: [shortCase!.decoded_new_skip_special] });
  });
});
