// A loopback double of the HTTP API of vLLM (`vllm serve`) and TensorRT-LLM (`trtllm-serve`): the subset the
// front calls, as each project documents it. GPU engines cannot run on the test machines, so the real front
// server is pointed here. Its "model" replays recorded Hugging Face outputs: a prompt (token ids) found in the
// replay table is answered with that reference's output ids; any other prompt answers the end-of-sequence id.
//
// Sources:
// - vLLM OpenAI-compatible server: https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html
//   (completions extra parameters; `return_token_ids` puts choices[].token_ids in the answer and the delta ids in
//   each stream chunk; `/health` answers 200 while the engine is alive; errors are
//   `{"error": {"message", "type", "param", "code"}}` in current releases; unknown fields are ignored with a
//   warning; `n` must be 1 for greedy sampling; a prompt plus max_tokens past max_model_len is a 400).
// - trtllm-serve: https://nvidia.github.io/TensorRT-LLM/latest/commands/trtllm-serve.html (/v1/completions,
//   /v1/chat/completions, /health, /metrics, /v1/models) and its request model
//   https://github.com/NVIDIA/TensorRT-LLM/blob/main/tensorrt_llm/serve/openai_protocol.py (`OpenAIBaseModel`
//   forbids extra fields; `ErrorResponse` is `{"object": "error", "message", "type", "param", "code"}`;
//   choices[].token_ids; `detokenize`).
// - Stream framing (both): `data: <chunk JSON>\n\n` per chunk, then `data: [DONE]\n\n`, as OpenAI's completions stream.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which engine the double plays. */
export type FakeEngineKind = 'vllm' | 'tensorrt-llm';

/** One completions request the double received. */
export interface FakeEngineRequest {
  readonly body: Record<string, unknown>;
  /** The client closed the connection before the answer ended (a cancelled request). */
  aborted: boolean;
  finished: boolean;
}

/** How the double is set up. */
export interface FakeEngineOptions {
  readonly kind: FakeEngineKind;
  /** The served model name (`--served-model-name`); requests naming another model are refused. */
  readonly servedModel: string;
  /** Prompt + max_tokens allowed (`--max-model-len` / `--max_seq_len`). */
  readonly maxModelLen: number;
  /** Prompt ids (joined by ',') -> the reference output ids. */
  readonly replies: ReadonlyMap<string, readonly number[]>;
  readonly eosTokenId: number;
}

// TensorRT-LLM's CompletionRequest fields (openai_protocol.py); anything else is refused there
const TRTLLM_FIELDS = new Set(
  (
    'model prompt best_of echo frequency_penalty logit_bias logprobs max_tokens n presence_penalty seed stop stream ' +
    'stream_options suffix temperature top_p user lora_request prompt_ignore_length use_beam_search top_k top_p_min ' +
    'min_p repetition_penalty length_penalty early_stopping stop_token_ids include_stop_str_in_output ignore_eos ' +
    'min_tokens skip_special_tokens spaces_between_special_tokens truncate_prompt_tokens return_context_logits ' +
    'detokenize add_special_tokens response_format disaggregated_params'
  ).split(' '),
);

/** The double: start it, point the front at `url`, steer it through the public fields. */
export class FakeOpenAiEngine {
  readonly requests: FakeEngineRequest[] = [];
  /** `/health` status while up (vLLM answers 503 once its engine core died). */
  healthStatus = 200;
  /** Answer the next completions request with this status and message in the engine's error shape. */
  failNext: { status: number; message: string } | undefined;
  /** Answer text only, as a release without the token-id feature does (vLLM before `return_token_ids` ignores it). */
  ignoreTokenIdRequest = false;
  /** Stream this many tokens, then hold the connection open until the client goes. */
  stallAfterTokens: number | undefined;
  url = '';
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly options: FakeEngineOptions) {}

  /** Listens on 127.0.0.1 (the same port again after a stop). */
  async start(): Promise<string> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this.url;
  }

  /** The engine goes away: connections are refused until the next start. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private error(response: ServerResponse, status: number, message: string, param?: string): void {
    const type = status === 404 ? 'NotFoundError' : status >= 500 ? 'InternalServerError' : 'BadRequestError';
    const body =
      this.options.kind === 'vllm'
        ? { error: { message, type, param: param ?? null, code: status } }
        : { object: 'error', message, type, param: param ?? null, code: status };
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method === 'GET' && request.url === '/health') return void response.writeHead(this.healthStatus).end();
    if (request.method === 'GET' && request.url === '/v1/models') {
      const card = { id: this.options.servedModel, object: 'model', owned_by: this.options.kind === 'vllm' ? 'vllm' : 'tensorrt_llm' };
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [card] }));
    }
    if (request.method === 'GET' && request.url === '/metrics') return this.metrics(response);
    if (request.method !== 'POST' || request.url !== '/v1/completions') return this.error(response, 404, 'Not Found');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.error(response, 400, 'JSON decode error');
    }
    const recorded: FakeEngineRequest = { body, aborted: false, finished: false };
    this.requests.push(recorded);
    response.on('close', () => (recorded.aborted = !recorded.finished));
    const refusal = this.refusal(body);
    if (refusal !== undefined) return this.error(response, refusal.status, refusal.message, refusal.param);
    if (this.failNext !== undefined) {
      const { status, message } = this.failNext;
      this.failNext = undefined;
      return this.error(response, status, message);
    }
    const prompt = body['prompt'] as number[];
    const maxTokens = typeof body['max_tokens'] === 'number' ? body['max_tokens'] : 16;
    const reference = this.options.replies.get(prompt.join(',')) ?? [this.options.eosTokenId];
    const ids = reference.slice(0, maxTokens);
    // a reference that did not end on the end-of-sequence id stopped at its length (HF's max_new_tokens)
    const finish = ids.at(-1) === this.options.eosTokenId ? 'stop' : 'length';
    const asked = this.options.kind === 'vllm' ? body['return_token_ids'] === true : body['detokenize'] === false;
    const withIds = asked && !this.ignoreTokenIdRequest;
    const n = typeof body['n'] === 'number' ? body['n'] : 1;
    if (body['stream'] === true) return this.stream(response, { recorded, ids, finish, withIds });
    const choices = Array.from({ length: n }, (_, index) => ({
      index,
      text: '',
      ...(withIds ? { token_ids: ids } : {}),
      logprobs: body['logprobs'] === undefined ? null : { token_logprobs: ids.map(() => -0.5), tokens: ids.map((id) => `token_id:${id}`) },
      finish_reason: finish,
      stop_reason: null,
    }));
    recorded.finished = true;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: 'cmpl-1', object: 'text_completion', model: this.options.servedModel, choices }));
  }

  // vLLM: Prometheus text (https://docs.vllm.ai/en/latest/design/metrics/); trtllm-serve: JSON iteration statistics
  private metrics(response: ServerResponse): void {
    if (this.options.kind === 'tensorrt-llm') {
      const stats = [{ iter: 1, numActiveRequests: 0, gpuMemUsage: 1024 }];
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    }
    const text = [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running{model_name="${this.options.servedModel}"} 0.0`,
      '',
    ].join('\n');
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
  }

  private refusal(body: Record<string, unknown>): { status: number; message: string; param?: string } | undefined {
    if (this.options.kind === 'tensorrt-llm') {
      const extra = Object.keys(body).find((key) => !TRTLLM_FIELDS.has(key));
      if (extra !== undefined)
        return { status: 400, message: `1 validation error: ${extra}: Extra inputs are not permitted`, param: extra };
    }
    if (body['model'] !== this.options.servedModel)
      return { status: 404, message: `The model \`${String(body['model'])}\` does not exist.`, param: 'model' };
    const prompt = body['prompt'];
    if (!Array.isArray(prompt) || prompt.length === 0 || !prompt.every((id) => Number.isInteger(id) && id >= 0))
      return { status: 400, message: 'prompt must be a string or a list of token ids', param: 'prompt' };
    const maxTokens = typeof body['max_tokens'] === 'number' ? body['max_tokens'] : 16;
    if (prompt.length + maxTokens > this.options.maxModelLen) {
      const message = `This model's maximum context length is ${this.options.maxModelLen} tokens. However, you requested ${prompt.length + maxTokens} tokens (${prompt.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`;
      return { status: 400, message, param: 'max_tokens' };
    }
    if (this.options.kind === 'vllm' && body['temperature'] === 0 && body['use_beam_search'] !== true && (body['n'] ?? 1) !== 1)
      return { status: 400, message: 'n must be 1 when using greedy sampling, got ' + String(body['n']), param: 'n' };
    return undefined;
  }

  private async stream(
    response: ServerResponse,
    reply: { recorded: FakeEngineRequest; ids: readonly number[]; finish: string; withIds: boolean },
  ): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (ids: readonly number[], finish: string | null): string =>
      `data: ${JSON.stringify({
        id: 'cmpl-1',
        object: 'text_completion',
        model: this.options.servedModel,
        choices: [
          {
            index: 0,
            text: '',
            ...(reply.withIds ? { token_ids: ids } : {}),
            logprobs: { token_logprobs: ids.map(() => -0.5) },
            finish_reason: finish,
            stop_reason: null,
          },
        ],
      })}\n\n`;
    for (const [index, id] of reply.ids.entries()) {
      if (this.stallAfterTokens !== undefined && index >= this.stallAfterTokens) return; // held open until the client closes
      response.write(chunk([id], index === reply.ids.length - 1 ? reply.finish : null));
      await new Promise((resolve) => setImmediate(resolve));
    }
    reply.recorded.finished = true;
    response.end('data: [DONE]\n\n');
  }
}
