/**
 * The OpenAI-engine backend: our server in front of vLLM or TensorRT-LLM (`trtllm-serve`). Each generate() is one
 * `/v1/completions` request with the prompt as token ids and token ids asked back; it streams when the caller
 * listens to tokens (one sequence), so `onToken` events arrive as the engine produces them. The engine batches;
 * we hold no queue of our own beyond a cap on requests in flight.
 */
import type { Backend, BackendInfo, BackendStats, GenerateRequest, GenerateResult, GenerationParams } from './backend.js';
import { resolveGenerationParams } from './generation/params.js';
import { completionBody, dialectOf, type OpenAiEngineKind } from './openai-engine/dialects.js';
import { ChoiceSequences } from './openai-engine/choice-sequences.js';
import { engineAnswerInvalid } from './openai-engine/errors.js';
import {
  fetchMetrics,
  postCompletion,
  probeHealth,
  servedModel,
  streamCompletion,
  type EngineEndpoint,
} from './openai-engine/engine-http.js';
import { cancelled, closed, queueFull } from './scheduler/errors.js';
import { resolveEngineSettings, type EngineSettings } from './settings.js';
import { promptInvalid } from './triton/errors.js';

/** Options of {@link createOpenAiEngineBackend}. */
export interface OpenAiEngineBackendOptions {
  readonly kind: OpenAiEngineKind;
  /** The engine's HTTP base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The served model's architecture (from config.json); decoder-only answers hold only the new tokens. */
  readonly architecture: BackendInfo['architecture'];
  /** Name our routes report; default `model`. */
  readonly modelName?: string;
  /** The name requests carry to the engine; default: the first id of the engine's `GET /v1/models`. */
  readonly engineModel?: string;
  /** The model's generation defaults (generation_config.json). */
  readonly defaults: GenerationParams;
  /** Per engine request; default 60000. */
  readonly timeoutMs?: number;
  /** Per readiness probe; default 2000. */
  readonly healthTimeoutMs?: number;
  /** maxInputTokens, maxNewTokensLimit; maxBatchSize + maxQueue bound the requests in flight. */
  readonly settings?: Partial<EngineSettings>;
}

/**
 * Creates the backend; nothing is contacted until the first call.
 * @example const backend = createOpenAiEngineBackend({ kind: 'vllm', url: 'http://127.0.0.1:8000', architecture: 'decoder-only' })
 */
export function createOpenAiEngineBackend(options: OpenAiEngineBackendOptions): Backend {
  return new OpenAiEngineBackend(options);
}

class OpenAiEngineBackend implements Backend {
  readonly info: BackendInfo;
  private readonly endpoint: EngineEndpoint;
  private readonly settings: EngineSettings;
  private readonly controllers = new Set<AbortController>();
  private model: Promise<string> | undefined;
  private closing = false;

  constructor(private readonly options: OpenAiEngineBackendOptions) {
    this.settings = resolveEngineSettings(options.settings);
    const url = options.url.replace(/\/+$/, '');
    this.endpoint = { label: dialectOf(options.kind).label, url, timeoutMs: options.timeoutMs ?? 60_000 };
    this.info = Object.freeze({
      kind: options.kind,
      architecture: options.architecture,
      provider: url,
      modelName: options.modelName ?? 'model',
      maxInputTokens: this.settings.maxInputTokens,
      defaults: options.defaults,
    });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closing) throw closed();
    const params = this.resolve(request);
    if (this.controllers.size >= this.settings.maxBatchSize + this.settings.maxQueue) throw queueFull(this.settings.maxQueue);
    if (request.signal?.aborted === true) throw cancelled();
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(cancelled());
    request.signal?.addEventListener('abort', onAbort, { once: true });
    this.controllers.add(controller);
    const startedAt = performance.now();
    try {
      const stream = request.onToken !== undefined && params.numBeams === 1 && params.numReturnSequences === 1;
      const body = completionBody(this.options.kind, {
        model: await this.engineModel(),
        inputIds: request.inputIds,
        params,
        defaults: this.info.defaults,
        stream,
        logProbs: request.returnLogProbs === true || request.onToken !== undefined,
      });
      const { sequences, firstTokenAt } = stream
        ? await this.streamed(body, request, controller.signal)
        : await this.whole(body, request, controller.signal);
      const now = performance.now();
      return {
        sequences: params.numBeams > 1 ? sequences.slice(0, params.numReturnSequences) : sequences,
        inputTokenCount: request.inputIds.length,
        timings: { queueMs: 0, firstTokenMs: (firstTokenAt ?? now) - startedAt, totalMs: now - startedAt },
      };
    } catch (error) {
      throw this.closing ? closed() : error;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      this.controllers.delete(controller);
    }
  }

  async health(): Promise<{ readonly ready: boolean; readonly reason?: string }> {
    if (this.closing) return { ready: false, reason: 'the engine is shutting down' };
    const probe = await probeHealth({ ...this.endpoint, timeoutMs: this.options.healthTimeoutMs ?? 2_000 });
    return probe.ready ? probe : { ready: false, reason: `${this.endpoint.label} not ready: ${probe.reason ?? 'unknown'}` };
  }

  engineMetrics(): Promise<string | undefined> {
    return fetchMetrics({ ...this.endpoint, timeoutMs: this.options.healthTimeoutMs ?? 2_000 });
  }

  stats(): BackendStats {
    return { queueDepth: 0, activeSequences: this.controllers.size, lastBatchSize: 0 };
  }

  close(): Promise<void> {
    this.closing = true;
    // each in-flight generate() rejects with ENGINE_CLOSED as its engine request aborts
    for (const controller of this.controllers) controller.abort(closed());
    return Promise.resolve();
  }

  private resolve(request: GenerateRequest): GenerationParams {
    const { inputIds } = request;
    if (inputIds.length === 0 || inputIds.length > this.settings.maxInputTokens) {
      throw promptInvalid(`${inputIds.length} tokens`, `1 to ${this.settings.maxInputTokens} tokens (the engine's maxInputTokens)`);
    }
    const bad = inputIds.find((id) => !Number.isInteger(id) || id < 0);
    if (bad !== undefined) throw promptInvalid(String(bad), 'non-negative integer token ids');
    return resolveGenerationParams(this.info.defaults, request.params, { maxNewTokensCap: this.settings.maxNewTokensLimit });
  }

  /** The engine's model name, asked once; a failed ask is asked again next time. */
  private engineModel(): Promise<string> {
    if (this.options.engineModel !== undefined) return Promise.resolve(this.options.engineModel);
    this.model ??= servedModel(this.endpoint).catch((error: unknown) => {
      this.model = undefined;
      throw error;
    });
    return this.model;
  }

  private async whole(body: Record<string, unknown>, request: GenerateRequest, signal: AbortSignal) {
    const built = this.choices();
    for (const choice of await postCompletion(this.endpoint, body, signal)) built.append(choice);
    return { sequences: built.sequences(request.returnLogProbs === true), firstTokenAt: undefined };
  }

  private async streamed(body: Record<string, unknown>, request: GenerateRequest, signal: AbortSignal) {
    const built = this.choices();
    let firstTokenAt: number | undefined;
    await streamCompletion(this.endpoint, {
      body,
      signal,
      onChunk: (choices) => {
        for (const choice of choices) {
          const sequence = built.append(choice);
          const added = choice.token_ids ?? [];
          if (added.length > 0) firstTokenAt ??= performance.now();
          const start = sequence.tokenIds.length - added.length;
          added.forEach((tokenId, offset) =>
            request.onToken?.({ tokenId, index: start + offset, logProb: sequence.logProbs[start + offset] ?? Number.NaN }),
          );
        }
      },
    });
    return { sequences: built.sequences(request.returnLogProbs === true), firstTokenAt };
  }

  private choices(): ChoiceSequences {
    const expected = `choices[].token_ids (${tokenIdFeature(this.options.kind)})`;
    return new ChoiceSequences(() => engineAnswerInvalid(this.endpoint, 'a choice without token_ids', expected));
  }
}

function tokenIdFeature(kind: OpenAiEngineKind): string {
  return kind === 'vllm' ? 'vLLM answers them with return_token_ids' : 'TensorRT-LLM answers them with detokenize: false';
}
