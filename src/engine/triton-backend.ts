/**
 * The Triton backend: a KServe v2 client for a FasterTransformer T5 model on Triton. Requests are
 * tensors per the FT contract, sent with the binary tensor extension; concurrent generate() calls
 * that agree on `max_output_len` and `beam_width` share one Triton request (FT reads both once per
 * batch). Triton answers whole sequences, so `onToken` events arrive together at the end.
 */
import { randomInt } from 'node:crypto';
import { defaultGenerationConfig } from '../model/index.js';
import { FT_T5_MODEL_NAME, FT_T5_SPECIAL_IDS, buildFtT5Request, ftRowFromSettings, parseFtT5Reply } from '../protocol/index.js';
import type { FtT5ReplyBeam, FtT5Row } from '../protocol/index.js';
import type {
  Backend,
  BackendInfo,
  BackendStats,
  GenerateRequest,
  GenerateResult,
  GeneratedSequence,
  GenerationParams,
} from './backend.js';
import { paramsFromGenerationConfig } from './generation/defaults.js';
import { resolveGenerationParams } from './generation/params.js';
import { cancelled, closed, queueFull, tooManyRows } from './scheduler/errors.js';
import { resolveEngineSettings, type EngineSettings } from './settings.js';
import { BatchQueue } from './triton/batch-queue.js';
import { promptInvalid, unsupportedByTriton } from './triton/errors.js';
import { postInfer, probe, type TritonEndpoint } from './triton/triton-http.js';

/** Options of {@link createTritonBackend}. */
export interface TritonBackendOptions {
  /** Triton's HTTP base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** Model name on Triton; default `fastertransformer`. */
  readonly modelName?: string;
  /** The model's generation defaults (generation_config.json); default Hugging Face's. */
  readonly defaults?: GenerationParams;
  /** Per Triton request; default 60000. */
  readonly timeoutMs?: number;
  /** Per readiness probe; default 2000. */
  readonly healthTimeoutMs?: number;
  /** Wait this long to gather concurrent calls into a batch; default 0 (same event-loop turn). */
  readonly batchWindowMs?: number;
  /** Triton requests outstanding at once; default 4. */
  readonly maxInFlight?: number;
  /** Decoder start and `</s>` ids; default 0 and 1 (T5). */
  readonly startId?: number;
  readonly endId?: number;
  /** maxBatchSize (rows per Triton request), maxQueue, maxInputTokens, maxNewTokensLimit. */
  readonly settings?: Partial<EngineSettings>;
}

/** FasterTransformer T5's token ids, for Hugging Face's defaults when no generation_config.json was given. */
const FT_T5_TOKEN_IDS = {
  decoderStartTokenId: FT_T5_SPECIAL_IDS.startId,
  eosTokenId: FT_T5_SPECIAL_IDS.endId,
  padTokenId: FT_T5_SPECIAL_IDS.padId,
};

interface Entry {
  readonly key: string;
  readonly rows: number;
  readonly ftRows: FtT5Row[];
  readonly params: GenerationParams;
  readonly request: GenerateRequest;
  readonly enqueuedAt: number;
  sentAt?: number;
  settled: boolean;
  resolve(result: GenerateResult): void;
  reject(error: unknown): void;
}

/**
 * Creates the backend; nothing is contacted until the first call.
 * @example const backend = createTritonBackend({ url: 'http://127.0.0.1:8000' })
 */
export function createTritonBackend(options: TritonBackendOptions): Backend {
  return new TritonBackend(options);
}

class TritonBackend implements Backend {
  readonly info: BackendInfo;
  private readonly endpoint: TritonEndpoint;
  private readonly settings: EngineSettings;
  private readonly queue: BatchQueue<Entry>;
  private readonly controllers = new Set<AbortController>();
  private readonly batches = new Set<Promise<void>>();
  private activeRows = 0;
  private lastBatchSize = 0;
  private closing = false;

  constructor(private readonly options: TritonBackendOptions) {
    this.settings = resolveEngineSettings(options.settings);
    const url = options.url.replace(/\/+$/, '');
    this.endpoint = { url, timeoutMs: options.timeoutMs ?? 60_000 };
    this.info = Object.freeze({
      architecture: 'encoder-decoder',
      kind: 'triton',
      provider: url,
      modelName: options.modelName ?? FT_T5_MODEL_NAME,
      maxInputTokens: this.settings.maxInputTokens,
      defaults: options.defaults ?? paramsFromGenerationConfig(defaultGenerationConfig(FT_T5_TOKEN_IDS)),
    });
    this.queue = new BatchQueue<Entry>({
      maxRows: this.settings.maxBatchSize,
      maxInFlight: options.maxInFlight ?? 4,
      windowMs: options.batchWindowMs ?? 0,
      send: (batch) => this.track(this.send(batch)),
    });
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closing) return Promise.reject(closed());
    try {
      const params = this.resolve(request);
      const ftRows = this.rowsFor(request, params);
      if (ftRows.length > this.settings.maxBatchSize) throw tooManyRows(ftRows.length, this.settings.maxBatchSize);
      if (this.queue.depth >= this.settings.maxQueue) throw queueFull(this.settings.maxQueue);
      if (request.signal?.aborted) throw cancelled();
      return new Promise<GenerateResult>((resolve, reject) => {
        const entry: Entry = {
          key: `${params.maxNewTokens}/${ftRows[0]!.beamWidth}`,
          rows: ftRows.length,
          ftRows,
          params,
          request,
          enqueuedAt: performance.now(),
          settled: false,
          resolve,
          reject,
        };
        request.signal?.addEventListener('abort', () => this.settle(entry, cancelled()), { once: true });
        this.queue.push(entry);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async health(): Promise<{ readonly ready: boolean; readonly reason?: string }> {
    if (this.closing) return { ready: false, reason: 'the engine is shutting down' };
    const endpoint = { ...this.endpoint, timeoutMs: this.options.healthTimeoutMs ?? 2_000 };
    const server = await probe(endpoint, '/v2/health/ready');
    if (!server.ok) return { ready: false, reason: `Triton server not ready: ${server.reason ?? 'unknown'}` };
    const model = await probe(endpoint, `/v2/models/${encodeURIComponent(this.info.modelName)}/ready`);
    if (!model.ok) return { ready: false, reason: `model '${this.info.modelName}' not ready on Triton: ${model.reason ?? 'unknown'}` };
    return { ready: true };
  }

  stats(): BackendStats {
    return { queueDepth: this.queue.depth, activeSequences: this.activeRows, lastBatchSize: this.lastBatchSize };
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const entry of this.queue.drain()) this.settle(entry, closed());
    for (const controller of this.controllers) controller.abort(closed());
    await Promise.allSettled([...this.batches]);
  }

  private resolve(request: GenerateRequest): GenerationParams {
    const { inputIds } = request;
    if (inputIds.length === 0 || inputIds.length > this.settings.maxInputTokens) {
      throw promptInvalid(`${inputIds.length} tokens`, `1 to ${this.settings.maxInputTokens} tokens (the engine's maxInputTokens)`);
    }
    const bad = inputIds.find((id) => !Number.isInteger(id) || id < 0 || id > 0xffffffff);
    if (bad !== undefined) throw promptInvalid(String(bad), 'non-negative integer token ids');
    const params = resolveGenerationParams(this.info.defaults, request.params, { maxNewTokensCap: this.settings.maxNewTokensLimit });
    // the model's own defaults FT cannot express are dropped, as before; only a caller's request for them is refused
    // (the server passes resolved params, so "asked" is what differs from the defaults)
    const { defaults } = this.info;
    if (params.minNewTokens > 0 && params.minNewTokens !== defaults.minNewTokens)
      throw unsupportedByTriton('minNewTokens', params.minNewTokens, '0 (FasterTransformer has no minimum length)');
    if (params.noRepeatNgramSize > 0 && params.noRepeatNgramSize !== defaults.noRepeatNgramSize)
      throw unsupportedByTriton('noRepeatNgramSize', params.noRepeatNgramSize, '0 (FasterTransformer has no n-gram blocking)');
    if (params.doSample && params.numBeams > 1)
      throw unsupportedByTriton('numBeams', params.numBeams, '1 when sampling (FasterTransformer has no beam sampling)');
    return params;
  }

  /** One FT row per request, or one per sampled sequence (each with its own seed). */
  private rowsFor(request: GenerateRequest, params: GenerationParams): FtT5Row[] {
    const logProbs = request.returnLogProbs === true || request.onToken !== undefined;
    if (!params.doSample) return [ftRowFromSettings(request.inputIds, params, logProbs)];
    const base = params.seed ?? randomInt(0, 2 ** 47);
    return Array.from({ length: params.numReturnSequences }, (_, index) =>
      ftRowFromSettings(request.inputIds, { ...params, seed: base + index }, logProbs),
    );
  }

  private track(batch: Promise<void>): Promise<void> {
    this.batches.add(batch);
    return batch.finally(() => this.batches.delete(batch));
  }

  private async send(batch: Entry[]): Promise<void> {
    const live = batch.filter((entry) => !entry.settled);
    if (live.length === 0) return;
    const rows = live.flatMap((entry) => entry.ftRows);
    const controller = new AbortController();
    this.controllers.add(controller);
    const sentAt = performance.now();
    for (const entry of live) {
      entry.sentAt = sentAt;
      entry.request.signal?.addEventListener('abort', () => live.every((item) => item.settled) && controller.abort(cancelled()), {
        once: true,
      });
    }
    this.activeRows += rows.length;
    this.lastBatchSize = rows.length;
    try {
      const reply = await postInfer(this.endpoint, this.info.modelName, buildFtT5Request(rows), controller.signal);
      const beams = parseFtT5Reply(reply.outputs, {
        batch: rows.length,
        startId: this.options.startId ?? FT_T5_SPECIAL_IDS.startId,
        endId: this.options.endId ?? FT_T5_SPECIAL_IDS.endId,
      });
      let offset = 0;
      for (const entry of live) {
        const own = beams.slice(offset, offset + entry.rows);
        offset += entry.rows;
        this.deliver(entry, own);
      }
    } catch (error) {
      for (const entry of live) this.settle(entry, this.closing ? closed() : error);
    } finally {
      this.activeRows -= rows.length;
      this.controllers.delete(controller);
    }
  }

  private deliver(entry: Entry, beams: FtT5ReplyBeam[][]): void {
    const { params, request } = entry;
    const chosen = params.doSample ? beams.map((row) => row[0]!) : beams[0]!.slice(0, params.numReturnSequences);
    const sequences: GeneratedSequence[] = chosen.map((beam) => ({
      tokenIds: beam.tokenIds,
      finishReason: beam.finishedByEos ? 'eos' : 'length',
      ...(beam.cumLogProb === undefined ? {} : { cumLogProb: beam.cumLogProb }),
      ...(request.returnLogProbs === true && beam.tokenLogProbs !== undefined ? { tokenLogProbs: beam.tokenLogProbs } : {}),
    }));
    if (request.onToken !== undefined && sequences.length === 1 && params.numBeams === 1) {
      const logProbs = chosen[0]?.tokenLogProbs ?? [];
      sequences[0]!.tokenIds.forEach((tokenId, index) => request.onToken!({ tokenId, index, logProb: logProbs[index] ?? Number.NaN }));
    }
    const now = performance.now();
    const totalMs = now - entry.enqueuedAt;
    this.settle(entry, undefined, {
      sequences,
      inputTokenCount: request.inputIds.length,
      timings: { queueMs: (entry.sentAt ?? now) - entry.enqueuedAt, firstTokenMs: totalMs, totalMs },
    });
  }

  private settle(entry: Entry, error: unknown, result?: GenerateResult): void {
    if (entry.settled) return;
    entry.settled = true;
    this.queue.remove(entry);
    if (result !== undefined && error === undefined) entry.resolve(result);
    else entry.reject(error);
  }
}
