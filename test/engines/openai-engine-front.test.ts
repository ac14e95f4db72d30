// Our server in front of vLLM and TensorRT-LLM, driven through every route against a loopback double of each
// engine's HTTP API (test/engines/fake-openai-engine.ts). The double replays the PyTorch reference outputs of the
// demo T5 model (test/demo-model/__fixtures__/torch-greedy.json), so every answer is checked against them. A real
// vLLM cannot load T5 (serve refuses that pairing); its double plays one here so the translation of every route is
// checked with the one tokenizer and reference on main.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAiEngineBackend, paramsFromGenerationConfig } from '../../src/engine/index.js';
import { openModelDirectory, readGenerationConfig } from '../../src/model/index.js';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { loadChatTemplate, loadTokenizer } from '../../src/tokenizer/index.js';
import { sseEvents } from '../server/support/sse-events.js';
import { readTorchGreedyFixture } from '../demo-model/torch-fixture.js';
import { FakeOpenAiEngine, type FakeEngineKind } from './fake-openai-engine.js';

const DEMO = new URL('../../models/demo-t5', import.meta.url).pathname;
const reference = await readTorchGreedyFixture();
const [first, second] = reference.items;
const longest = [...reference.items].sort((a, b) => b.output_ids.length - a.output_ids.length)[0]!;
const replies = new Map(reference.items.map((item) => [item.input_ids.join(','), item.output_ids]));

async function startFront(kind: FakeEngineKind, engine: FakeOpenAiEngine): Promise<{ front: LlmDeployServer; base: string }> {
  const model = await openModelDirectory(DEMO);
  const defaults = paramsFromGenerationConfig(await readGenerationConfig(model.generationDir, model.config));
  const backend = createOpenAiEngineBackend({
    kind,
    url: engine.url,
    architecture: 'encoder-decoder',
    modelName: 'demo-t5',
    defaults,
    healthTimeoutMs: 1000,
  });
  const chatTemplate = loadChatTemplate(DEMO);
  const front = createServer({ host: '127.0.0.1', port: 0, backend, tokenizer: loadTokenizer(DEMO), chatTemplate, logger: false });
  await front.modelLoaded;
  return { front, base: await front.listen() };
}

for (const kind of ['vllm', 'tensorrt-llm'] as const) {
  describe(`serve in front of ${kind} (loopback double of its OpenAI-compatible API)`, () => {
    const engine = new FakeOpenAiEngine({ kind, servedModel: '/models/demo-t5', maxModelLen: 64, replies, eosTokenId: 1 });
    let front: LlmDeployServer;
    let base = '';
    const post = (path: string, body: unknown, signal?: AbortSignal): Promise<Response> =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    before(async () => {
      await engine.start();
      ({ front, base } = await startFront(kind, engine));
    });
    after(async () => {
      await front.close();
      await engine.stop();
    });

    it('/infer sends token ids, the served model name and greedy fields, and answers the reference text', async () => {
      const response = await post('/infer', { instances: [first!.input, second!.input] });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { predictions: [first!.output_text, second!.output_text] });
      const sent = engine.requests.at(-1)!.body;
      assert.equal(sent['model'], '/models/demo-t5');
      assert.ok(engine.requests.some((request) => JSON.stringify(request.body['prompt']) === JSON.stringify(first!.input_ids)));
      assert.equal(sent['max_tokens'], 48);
      if (kind === 'vllm') assert.deepEqual([sent['temperature'], sent['return_token_ids']], [0, true]);
      else assert.deepEqual([sent['top_k'], sent['detokenize']], [1, false]);
    });

    it('/generate and /generate_stream (TGI) answer the reference; the stream has one event per engine token', async () => {
      const whole = await post('/generate', { inputs: longest.input, parameters: { max_new_tokens: 40 } });
      assert.equal(whole.status, 200);
      assert.equal(((await whole.json()) as { generated_text: string }).generated_text, longest.output_text);
      const streamed = await post('/generate_stream', { inputs: longest.input, parameters: { max_new_tokens: 40 } });
      const events = sseEvents(await streamed.text()) as { token: { id: number }; generated_text: string | null }[];
      assert.deepEqual(
        events.map((event) => event.token.id),
        longest.output_ids,
      );
      assert.equal(events.at(-1)?.generated_text, longest.output_text);
      assert.equal(engine.requests.at(-1)!.body['stream'], true);
    });

    it('/v1/completions (whole and streamed) answers the reference text', async () => {
      const whole = await post('/v1/completions', { model: 'demo-t5', prompt: first!.input, max_tokens: 40 });
      assert.equal(whole.status, 200);
      const body = (await whole.json()) as { choices: { text: string; finish_reason: string }[] };
      assert.deepEqual([body.choices[0]?.text, body.choices[0]?.finish_reason], [first!.output_text, 'stop']);
      const streamed = await post('/v1/completions', { model: 'demo-t5', prompt: longest.input, max_tokens: 40, stream: true });
      const events = sseEvents(await streamed.text());
      assert.equal(events.at(-1), '[DONE]');
      const text = (events.slice(0, -1) as { choices: { text: string }[] }[]).map((event) => event.choices[0]?.text ?? '').join('');
      assert.equal(text, longest.output_text);
    });

    it('/v1/chat/completions (whole and streamed) answers the reference text (T5: the last user message is the prompt)', async () => {
      const messages = [{ role: 'user', content: second!.input }];
      const whole = await post('/v1/chat/completions', { model: 'demo-t5', messages, max_tokens: 40 });
      assert.equal(whole.status, 200);
      const body = (await whole.json()) as { choices: { message: { content: string } }[] };
      assert.equal(body.choices[0]?.message.content, second!.output_text);
      const streamed = await post('/v1/chat/completions', { model: 'demo-t5', messages, max_tokens: 40, stream: true });
      const events = sseEvents(await streamed.text());
      assert.equal(events.at(-1), '[DONE]');
      const deltas = events.slice(0, -1) as { choices: { delta: { content?: string } }[] }[];
      assert.equal(deltas.map((event) => event.choices[0]?.delta.content ?? '').join(''), second!.output_text);
      assert.equal(engine.requests.at(-1)!.body['stream'], true);
    });

    it('/v2/models/fastertransformer/infer answers the reference ids; the generate extension the reference text', async () => {
      const ids = first!.input_ids;
      const infer = await post('/v2/models/fastertransformer/infer', {
        inputs: [
          { name: 'input_ids', datatype: 'UINT32', shape: [1, ids.length], data: ids },
          { name: 'sequence_length', datatype: 'UINT32', shape: [1, 1], data: [ids.length] },
          { name: 'max_output_len', datatype: 'UINT32', shape: [1, 1], data: [40] },
        ],
      });
      assert.equal(infer.status, 200);
      const outputs = ((await infer.json()) as { outputs: { name: string; data: number[] }[] }).outputs;
      assert.deepEqual(outputs.find((output) => output.name === 'output_ids')?.data, first!.output_ids);
      const generate = await post('/v2/models/fastertransformer/generate', { text_input: second!.input, parameters: { max_tokens: 40 } });
      assert.equal(generate.status, 200);
      assert.equal(((await generate.json()) as { text_output: string }).text_output, second!.output_text);
    });

    it("/metrics holds ours and the engine's own Prometheus metrics under engine_ (vLLM; trtllm-serve answers JSON there)", async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /^llm_deploy_/m);
      if (kind === 'vllm') assert.match(text, /^engine_vllm:num_requests_running\{model_name="\/models\/demo-t5"\} 0\.0$/m);
      else assert.doesNotMatch(text, /^engine_/m);
    });

    it('beam search reaches the engine as its beam fields and answers the best beam', async () => {
      const response = await post('/infer', { instances: [first!.input], parameters: { num_beams: 3 } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { predictions: [first!.output_text] });
      const sent = engine.requests.at(-1)!.body;
      assert.equal(sent['use_beam_search'], true);
      assert.equal(kind === 'vllm' ? sent['n'] : sent['best_of'], 3);
    });

    it('an engine that ignores the token-id request is a 502 saying so, not empty text', async () => {
      engine.ignoreTokenIdRequest = true;
      try {
        const response = await post('/infer', { instances: [first!.input] });
        assert.equal(response.status, 502);
        assert.match(((await response.json()) as { error: string }).error, kind === 'vllm' ? /return_token_ids/ : /detokenize/);
      } finally {
        engine.ignoreTokenIdRequest = false;
      }
    });

    it('a setting the engine cannot do is a 400 naming the field, and nothing reaches the engine', async () => {
      const before = engine.requests.length;
      const response = await post('/infer', { instances: [first!.input], parameters: { no_repeat_ngram_size: 3 } });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /no_repeat_ngram_size/);
      assert.equal(engine.requests.length, before);
    });

    it('an engine error is a 502 carrying its message (both error shapes)', async () => {
      engine.failNext = { status: 500, message: 'CUDA error: an illegal memory access was encountered' };
      const response = await post('/infer', { instances: [first!.input] });
      assert.equal(response.status, 502);
      assert.match(((await response.json()) as { error: string }).error, /illegal memory access/);
      const tooLong = await post('/generate', { inputs: first!.input, parameters: { max_new_tokens: 64 } });
      assert.equal(tooLong.status, 502);
      assert.match(JSON.stringify(await tooLong.json()), /maximum context length is 64/);
    });

    it('a client that disconnects mid-stream cancels the engine request', async () => {
      engine.stallAfterTokens = 2;
      try {
        const controller = new AbortController();
        const response = await post('/generate_stream', { inputs: longest.input, parameters: { max_new_tokens: 40 } }, controller.signal);
        const reader = response.body!.getReader();
        // the engine has sent 2 of its tokens and holds the rest: a token event already reached the client
        const { value } = await reader.read();
        assert.match(new TextDecoder().decode(value), /"token"/);
        controller.abort();
        const recorded = engine.requests.at(-1)!;
        for (let tries = 0; tries < 100 && !recorded.aborted; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(recorded.aborted, true, 'the engine saw its request closed');
      } finally {
        engine.stallAfterTokens = undefined;
      }
    });

    it('the engine dying mid-stream ends the client stream with an error event, not a hang', async () => {
      engine.stallAfterTokens = 2;
      try {
        const response = await post('/generate_stream', { inputs: longest.input, parameters: { max_new_tokens: 40 } });
        const reader = response.body!.getReader();
        await reader.read();
        await engine.stop();
        let rest = '';
        for (let read = await reader.read(); !read.done; read = await reader.read()) rest += new TextDecoder().decode(read.value);
        assert.match(rest, /"error"/);
      } finally {
        engine.stallAfterTokens = undefined;
        await engine.start();
      }
    });

    it('the engine going away: 503 and not ready; back: ready and answering', async () => {
      assert.equal((await fetch(`${base}/health/ready`)).status, 200);
      await engine.stop();
      try {
        assert.equal((await fetch(`${base}/health/ready`)).status, 503);
        const response = await post('/infer', { instances: [first!.input] });
        assert.equal(response.status, 503);
        assert.match(((await response.json()) as { error: string }).error, /unavailable/);
      } finally {
        await engine.start();
      }
      assert.equal((await fetch(`${base}/health/ready`)).status, 200);
      assert.equal((await post('/infer', { instances: [first!.input] })).status, 200);
      engine.healthStatus = 503;
      assert.equal((await fetch(`${base}/health/ready`)).status, 503);
      engine.healthStatus = 200;
    });
  });
}
