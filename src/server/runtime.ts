/**
 * The server's live state: the model once loaded, readiness, draining, and the generations in
 * flight (so drain can wait for them and close can abort them).
 */
import type { Backend } from '../engine/index.js';
import type { ChatTemplate } from '../tokenizer/index.js';
import { notReady, overloaded } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { ServerOptions } from './settings.js';
import type { TextTokenizer } from './text-tokenizer.js';

/** A loaded model: the backend that generates and the tokenizer that frames its text. */
export interface LoadedModel {
  readonly backend: Backend;
  readonly tokenizer: TextTokenizer;
  /** The model's chat template; absent: chat routes use the plain rule of `chat-prompt.ts`. */
  readonly chatTemplate?: ChatTemplate;
}

/** Shared state handed to every route. */
export class ServerRuntime {
  readonly options: ServerOptions;
  readonly metrics: ServerMetrics;
  private loaded: LoadedModel | undefined;
  private loadFailure: string | undefined;
  private draining = false;
  private readonly inFlight = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];

  constructor(options: ServerOptions, metrics: ServerMetrics) {
    this.options = options;
    this.metrics = metrics;
  }

  /** Waits for the backend and tokenizer; records the load time or the failure. */
  async load(
    backend: Backend | Promise<Backend>,
    tokenizer: TextTokenizer | Promise<TextTokenizer>,
    chatTemplate?: ChatTemplate | Promise<ChatTemplate | undefined>,
  ): Promise<void> {
    const started = performance.now();
    try {
      const [readyBackend, readyTokenizer, readyTemplate] = await Promise.all([backend, tokenizer, chatTemplate]);
      this.loaded = {
        backend: readyBackend,
        tokenizer: readyTokenizer,
        ...(readyTemplate === undefined ? {} : { chatTemplate: readyTemplate }),
      };
      this.metrics.setModelLoadSeconds((performance.now() - started) / 1000);
    } catch (error) {
      this.loadFailure = `model failed to load: ${error instanceof Error ? error.message : String(error)}`;
      throw error;
    }
  }

  /** The model, or SERVER_NOT_READY (503) while loading, after a failed load, or while draining. */
  model(): LoadedModel {
    if (this.loaded === undefined) throw notReady(this.loadFailure ?? 'model is still loading');
    return this.loaded;
  }

  /** The backend if loaded (metrics and shutdown use it). */
  get backend(): Backend | undefined {
    return this.loaded?.backend;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Ready for traffic: loaded, not draining, and the backend says so. */
  async readiness(): Promise<{ ready: boolean; reason?: string }> {
    if (this.draining) return { ready: false, reason: 'server is shutting down' };
    if (this.loaded === undefined) return { ready: false, reason: this.loadFailure ?? 'model is still loading' };
    try {
      const health = await this.loaded.backend.health();
      return health.ready ? { ready: true } : { ready: false, reason: health.reason ?? 'backend not ready' };
    } catch (error) {
      // a probe that fails is a "no", never a 500
      return { ready: false, reason: `backend health check failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /**
   * Runs `work` as one in-flight generation: refuses it beyond the concurrency limit, and hands it
   * a controller that `abortAll` (shutdown) can fire.
   */
  async track<T>(work: (controller: AbortController) => Promise<T>): Promise<T> {
    if (this.inFlight.size >= this.options.maxConcurrentRequests) throw overloaded(this.options.maxConcurrentRequests);
    const controller = new AbortController();
    this.inFlight.add(controller);
    this.metrics.setInFlight(this.inFlight.size);
    try {
      return await work(controller);
    } finally {
      this.inFlight.delete(controller);
      this.metrics.setInFlight(this.inFlight.size);
      if (this.inFlight.size === 0) this.wakeIdleWaiters();
    }
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Turns readiness off at once; resolves true when nothing is in flight, false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.inFlight.size === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(onIdle);
    });
  }

  /** Aborts every generation in flight (their requests answer 503). */
  abortAll(reason: string): void {
    for (const controller of this.inFlight) controller.abort(notReady(reason));
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
