// A deterministic Backend for server tests: it "generates" the prompt reversed (without `</s>`),
// then `</s>`, one token per tick, honouring maxNewTokens, numReturnSequences, onToken and AbortSignal.
import { LlmDeployError } from '../../../src/config/index.js';
import type { Backend, GenerateRequest, GenerateResult, GenerationParams } from '../../../src/engine/index.js';

/** Knobs for {@link TestBackend}. */
export interface TestBackendOptions {
  /** Milliseconds between tokens (0 = next macrotask, negative = next microtask). */
  readonly tokenDelayMs?: number;
  readonly maxInputTokens?: number;
  /** Ready from the start (default true). */
  readonly ready?: boolean;
}

const DEFAULTS: GenerationParams = {
  maxNewTokens: 20,
  minNewTokens: 0,
  numBeams: 1,
  doSample: false,
  temperature: 1,
  topK: 50,
  topP: 1,
  repetitionPenalty: 1,
  lengthPenalty: 1,
  noRepeatNgramSize: 0,
  earlyStopping: false,
  numReturnSequences: 1,
};

/** The test backend; `requests` records what the server submitted. */
export class TestBackend implements Backend {
  readonly info;
  readonly requests: GenerateRequest[] = [];
  ready: boolean;
  closed = false;
  active = 0;
  private readonly tokenDelayMs: number;

  constructor(options: TestBackendOptions = {}) {
    this.tokenDelayMs = options.tokenDelayMs ?? 0;
    this.ready = options.ready ?? true;
    this.info = {
      kind: 'native' as const,
      architecture: 'encoder-decoder' as const,
      provider: 'test',
      modelName: 'test-model',
      maxInputTokens: options.maxInputTokens ?? 512,
      defaults: DEFAULTS,
    };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closed) throw new LlmDeployError('backend closed', { code: 'ENGINE_CLOSED', httpStatus: 503 });
    this.requests.push(request);
    this.active += 1;
    const started = performance.now();
    try {
      const eos = 1;
      const answer = [...request.inputIds.filter((id) => id !== eos)].reverse();
      answer.push(eos);
      const maxNewTokens =
        request.params?.maxNewTokens ?? (request.params?.maxLength === undefined ? DEFAULTS.maxNewTokens : request.params.maxLength - 1);
      const tokens = answer.slice(0, maxNewTokens);
      let firstTokenMs = 0;
      for (const [index, tokenId] of tokens.entries()) {
        await this.tick(request.signal);
        if (index === 0) firstTokenMs = performance.now() - started;
        request.onToken?.({ tokenId, index, logProb: -0.5 });
      }
      const finishReason = tokens[tokens.length - 1] === eos ? ('eos' as const) : ('length' as const);
      const sequence = {
        tokenIds: tokens,
        finishReason,
        cumLogProb: -0.5 * tokens.length,
        ...(request.returnLogProbs === true ? { tokenLogProbs: tokens.map(() => -0.5) } : {}),
      };
      const count = request.params?.numReturnSequences ?? 1;
      return {
        sequences: Array.from({ length: count }, () => sequence),
        inputTokenCount: request.inputIds.length,
        timings: { queueMs: 0.1, firstTokenMs, totalMs: performance.now() - started },
      };
    } finally {
      this.active -= 1;
    }
  }

  async health(): Promise<{ ready: boolean; reason?: string }> {
    return this.ready ? { ready: true } : { ready: false, reason: 'test backend not ready' };
  }

  stats() {
    return { queueDepth: 0, activeSequences: this.active, lastBatchSize: this.active };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private tick(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancelled = (): LlmDeployError => new LlmDeployError('generation cancelled', { code: 'ENGINE_CANCELLED', httpStatus: 499 });
      if (signal?.aborted === true) return reject(cancelled());
      if (this.tokenDelayMs < 0) return resolve();
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(cancelled());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, this.tokenDelayMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
